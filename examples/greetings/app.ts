// A small app on eventyard: an HTTP route publishes a request, a service
// handles it with a unit of work (state + emitted event + inbox, one
// transaction), and another route reads the state back.
import { causedBy, createEvent } from '../../src/core/envelope.ts';
import { PermanentError } from '../../src/core/errors.ts';
import { defineApp } from '../../src/runtime/service.ts';

interface GreetingsDb {
  greetings: { id: string; name: string; text: string };
}

export const greetingsApp = defineApp({
  name: 'greetings',
  migrations: {
    '001-greetings': {
      up: (db) =>
        db.schema
          .createTable('greetings')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .execute(),
    },
  },
  services: [
    {
      name: 'api',
      routes(http, { broker, store }) {
        http.post<{ Body: { name?: unknown } }>('/greetings', async (request, reply) => {
          const event = createEvent({
            type: 'greeting.requested',
            source: 'greetings/api',
            data: { name: request.body?.name },
          });
          await broker.publish('greeting-requests', event);
          return reply.code(202).send({ id: event.id });
        });
        http.get('/greetings', () => store.db.selectFrom('greetings').selectAll().execute());
      },
    },
    {
      name: 'greeter',
      subscriptions: () => [
        {
          topic: 'greeting-requests',
          policy: { attempts: 3 },
          handler: async (event, { transaction }) => {
            const { name } = event.data as { name?: unknown };
            if (typeof name !== 'string' || name.length === 0) {
              throw new PermanentError('a greeting needs a name');
            }
            const text = `Hello, ${name}!`;
            await transaction(async ({ tx, emit }) => {
              await tx.insertInto('greetings').values({ id: event.id, name, text }).execute();
              emit(
                'greetings-made',
                causedBy(event, {
                  type: 'greeting.made',
                  source: 'greetings/greeter',
                  data: { text },
                }),
              );
            });
          },
        },
      ],
    },
  ],
});

export type { GreetingsDb };

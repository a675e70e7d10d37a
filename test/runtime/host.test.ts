import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { causedBy, createEvent, type Envelope } from '../../src/core/envelope.ts';
import { ConfigError } from '../../src/core/errors.ts';
import { type Host, startHost } from '../../src/runtime/host.ts';
import {
  type AppDefinition,
  defineApp,
  type ServiceHandlerContext,
} from '../../src/runtime/service.ts';
import { uniqueName } from '../support/names.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait.ts';
import { testConfig } from './test-config.ts';

interface NotesDb {
  notes: { event_id: string; body: string };
}

/** An app as a later issue writes one: a migration, a subscription using the unit of work, a route. */
function notesApp(input: string, output: string, seen: string[]): AppDefinition {
  return defineApp({
    name: 'notes',
    migrations: {
      '001_notes': {
        async up(db) {
          await db.schema
            .createTable('notes')
            .addColumn('event_id', 'text', (column) => column.primaryKey())
            .addColumn('body', 'text', (column) => column.notNull())
            .execute();
        },
      },
    },
    services: [
      {
        name: 'recorder',
        subscriptions: () => [
          {
            topic: input,
            handler: async (
              event: Envelope<{ body: string }>,
              context: ServiceHandlerContext<NotesDb>,
            ) => {
              seen.push(`${context.group}:${event.id}`);
              await context.transaction(async (uow) => {
                await uow.tx
                  .insertInto('notes')
                  .values({ event_id: event.id, body: event.data.body })
                  .execute();
                uow.emit(
                  output,
                  causedBy(event, { type: 'note.recorded', data: { id: event.id } }),
                );
              });
            },
          },
        ],
        routes(http, context) {
          http.get('/notes', async () => ({
            notes: await context.store.db
              .selectFrom('notes')
              .selectAll()
              .orderBy('event_id')
              .execute(),
          }));
        },
      },
      { name: 'auditor' },
    ],
  });
}

describe('service host', () => {
  const dir = tempDir();
  const input = uniqueName('notes-in');
  const output = uniqueName('notes-out');
  const seen: string[] = [];
  let host: Host;

  before(async () => {
    host = await startHost({
      config: testConfig(dir.path),
      apps: [notesApp(input, output, seen)],
    });
  });
  after(async () => {
    await host.close();
    dir.remove();
  });

  const get = async (path: string) => {
    const response = await fetch(`${host.url}${path}`);
    return { status: response.status, body: await response.text() };
  };
  const post = (event: Envelope) =>
    fetch(`${host.url}/api/topics/${input}/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify(event),
    });

  it('listens on the real port and reports healthy engines', async () => {
    assert.match(host.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(host.url.endsWith(':0'), true);
    assert.deepEqual(host.services, ['notes.recorder', 'notes.auditor']);
    const health = await get('/health');
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(health.body).status, 'ok');
  });

  it('delivers an event published over HTTP to the service, whose unit of work writes and emits', async () => {
    const event = createEvent({ type: 'note.taken', data: { body: 'first' } });
    assert.equal((await post(event)).status, 201);
    await waitFor(
      'the note row',
      async () => JSON.parse((await get('/notes')).body).notes.length === 1,
    );
    assert.deepEqual(JSON.parse((await get('/notes')).body).notes, [
      { event_id: event.id, body: 'first' },
    ]);
    const emitted = JSON.parse((await get(`/api/topics/${output}/events`)).body).events;
    assert.equal(emitted.length, 1);
    assert.equal(emitted[0].event.causationid, event.id);
    assert.equal(emitted[0].event.correlationid, event.id);
    assert.ok(seen.includes(`notes.recorder:${event.id}`), 'the group defaults to <app>.<service>');
  });

  it('gives a redelivered event (same id) no second effect', async () => {
    const event = createEvent({ type: 'note.taken', data: { body: 'once' } });
    await post(event);
    await post(event);
    await waitFor('both deliveries', () => seen.filter((s) => s.endsWith(event.id)).length === 2);
    const { notes } = JSON.parse((await get('/notes')).body);
    assert.equal(
      notes.filter((note: { event_id: string }) => note.event_id === event.id).length,
      1,
    );
    const emitted = JSON.parse((await get(`/api/topics/${output}/events`)).body).events;
    assert.equal(
      emitted.filter((stored: { event: Envelope }) => stored.event.causationid === event.id).length,
      1,
    );
    const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM notes`.execute(
      host.engines.store.db,
    );
    assert.equal(rows.rows[0]!.n, 2);
  });

  it('counts published and consumed events on /metrics, with lag per group', async () => {
    await waitFor('lag 0', async () => {
      const groups = await host.engines.broker.groups(input);
      return groups.length === 1 && groups[0]!.lag === 0;
    });
    const { status, body } = await get('/metrics');
    assert.equal(status, 200);
    assert.ok(body.includes(`eventyard_events_published_total{topic="${input}"} 3`), body);
    assert.ok(
      body.includes(`eventyard_events_consumed_total{topic="${input}",group="notes.recorder"} 3`),
      body,
    );
    assert.ok(body.includes(`eventyard_group_lag{topic="${input}",group="notes.recorder"} 0`));
    assert.match(body, /eventyard_handler_duration_seconds_count\{[^}]*outcome="ok"\} 3/);
    assert.match(body, /^nodejs_eventloop_lag_seconds /m);
  });
});

describe('service host start', () => {
  it('runs only the services named, and refuses unknown names listing the known ones', async () => {
    const dir = tempDir();
    try {
      const seen: string[] = [];
      const app = notesApp(uniqueName('in'), uniqueName('out'), seen);
      await assert.rejects(
        startHost({ config: testConfig(dir.path), apps: [app], services: ['recordr'] }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /unknown service 'recordr'; known: notes, notes\.recorder, notes\.auditor/.test(
            error.message,
          ),
      );
      const host = await startHost({
        config: testConfig(dir.path),
        apps: [app],
        services: ['auditor'],
      });
      try {
        assert.deepEqual(host.services, ['notes.auditor']);
        // The recorder's route is not served.
        assert.equal((await fetch(`${host.url}/notes`)).status, 404);
      } finally {
        await host.close();
      }
      const full = await startHost({
        config: testConfig(dir.path),
        apps: [app],
        services: ['notes.recorder'],
      });
      try {
        assert.deepEqual(full.services, ['notes.recorder']);
        assert.equal((await fetch(`${full.url}/notes`)).status, 200);
      } finally {
        await full.close();
        await full.close(); // idempotent
      }
    } finally {
      dir.remove();
    }
  });

  it('refuses a port in use, naming EVENTYARD_PORT', async () => {
    const dir = tempDir();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await assert.rejects(
        startHost({
          config: testConfig(dir.path, { EVENTYARD_PORT: String(port) }),
          apps: [notesApp(uniqueName('in'), uniqueName('out'), [])],
        }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.details.path === 'EVENTYARD_PORT' &&
          error.message.includes(String(port)),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      dir.remove();
    }
  });
});

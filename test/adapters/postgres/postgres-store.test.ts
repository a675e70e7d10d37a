/**
 * The PostgreSQL store against a real server: the unit of work (state,
 * outbox rows and inbox record in one transaction), emit validation and
 * per-app migrations. Forwarding is in outbox-forwarding.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely, Transaction } from 'kysely';
import { openPostgresStore, type PostgresStore } from '../../../src/adapters/db/postgres/index.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { EngineError, ValidationError } from '../../../src/core/errors.ts';
import type { UnitOfWork } from '../../../src/core/unit-of-work.ts';
import type { AppStore } from '../../../src/runtime/app-store.ts';
import type { OutboxSource } from '../../../src/runtime/outbox-forwarder.ts';
import { uniqueName } from '../../support/names.ts';
import {
  dropSchema,
  type EffectsDb,
  openScopedStore,
  POSTGRES_URL,
  queryIn,
  skipUnlessPostgres,
  uniqueSchema,
} from './fixtures/postgres-scope.ts';

const skip = await skipUnlessPostgres();

type Uow = UnitOfWork<Transaction<EffectsDb>>;

type OutboxRow = { id: string; topic: string; body: string; deliver_at: string | null };

function outboxOf<DB>(store: PostgresStore<DB>): Promise<OutboxRow[]> {
  return queryIn<OutboxRow>(store.schema, 'SELECT * FROM ey_outbox ORDER BY id');
}

test('the store is an AppStore and its outbox an OutboxSource', { skip }, async (t) => {
  const store = await openScopedStore(t);
  const app: AppStore<EffectsDb> = store;
  const source: OutboxSource = store.outbox;
  assert.equal(typeof app.migrate, 'function');
  assert.equal(typeof source.lead, 'function');
  assert.deepEqual(await store.outbox.lag(), { waiting: 0, delayed: 0, oldestMs: 0 });
});

test('a unit of work commits state and outbox rows together, in emit order', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const topic = uniqueName('uow');
  const result = await store.transaction(async ({ tx, emit }) => {
    await tx.insertInto('effects').values({ event_id: 'a', worker: 1 }).execute();
    emit(topic, createEvent({ type: 'made', data: { n: 1 } }));
    emit(`${topic}-other`, [
      createEvent({ type: 'made', data: { n: 2 } }),
      createEvent({ type: 'made', data: { n: 3 } }),
    ]);
    emit(topic, createEvent({ type: 'made', data: { n: 4 } }), { delayMs: 60_000 });
    return 'done';
  });
  assert.deepEqual(result, { duplicate: false, value: 'done' });
  assert.equal((await store.db.selectFrom('effects').selectAll().execute()).length, 1);
  const rows = await outboxOf(store);
  assert.deepEqual(
    rows.map((row) => [row.topic, (JSON.parse(row.body) as { data: { n: number } }).data.n]),
    [
      [topic, 1],
      [`${topic}-other`, 2],
      [`${topic}-other`, 3],
      [topic, 4],
    ],
  );
  assert.equal(rows[0]!.deliver_at, null);
  assert.ok(Number(rows[3]!.deliver_at) > Date.now() + 50_000, 'delayed row keeps its time');
  const lag = await store.outbox.lag();
  assert.deepEqual([lag.waiting, lag.delayed], [3, 1]);
  assert.ok(lag.oldestMs >= 0 && lag.oldestMs < 60_000, `oldest ${lag.oldestMs} ms`);
  const later = await store.outbox.lag(Date.now() + 5_000);
  assert.ok(later.oldestMs >= 5_000, 'the oldest row ages');
});

test('a throw rolls back state and outbox rows', { skip }, async (t) => {
  const store = await openScopedStore(t);
  await assert.rejects(
    store.transaction(async ({ tx, emit }) => {
      await tx.insertInto('effects').values({ event_id: 'b', worker: 1 }).execute();
      emit(uniqueName('rollback'), createEvent({ type: 'made', data: {} }));
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  assert.equal((await store.db.selectFrom('effects').selectAll().execute()).length, 0);
  assert.deepEqual(await outboxOf(store), []);
});

test('an event id already in the group inbox has no second effect', { skip }, async (t) => {
  const store = await openScopedStore(t);
  let runs = 0;
  const work = async ({ tx, emit }: Uow) => {
    runs++;
    await tx.insertInto('effects').values({ event_id: 'c', worker: 1 }).execute();
    emit('derived', createEvent({ type: 'd', data: 1 }));
  };
  const inbox = { group: 'g1', eventId: 'event-1' };
  assert.equal((await store.transaction(work, { inbox })).duplicate, false);
  assert.deepEqual(await store.transaction(work, { inbox }), { duplicate: true });
  assert.equal(runs, 1);
  // Another group handling the same event is not a duplicate.
  const other = await store.transaction(work, { inbox: { group: 'g2', eventId: 'event-1' } });
  assert.equal(other.duplicate, false);
  assert.equal((await store.db.selectFrom('effects').selectAll().execute()).length, 2);
  assert.equal((await outboxOf(store)).length, 2, 'the duplicate emitted nothing');
});

test('concurrent deliveries of one event: exactly one unit of work applies', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const inbox = { group: 'g', eventId: 'racing' };
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, worker) =>
      store.transaction(
        async ({ tx }) => {
          await tx.insertInto('effects').values({ event_id: 'racing', worker }).execute();
        },
        { inbox },
      ),
    ),
  );
  assert.equal(results.filter((r) => !r.duplicate).length, 1);
  assert.equal((await store.db.selectFrom('effects').selectAll().execute()).length, 1);
});

test('a unit of work that rolls back leaves no inbox record: a retry applies', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const inbox = { group: 'g', eventId: 'retried' };
  await assert.rejects(store.transaction(() => Promise.reject(new Error('first try')), { inbox }));
  const retry = await store.transaction(() => 'second', { inbox });
  assert.deepEqual(retry, { duplicate: false, value: 'second' });
});

test('emit validates at once; a bad emit writes nothing', { skip }, async (t) => {
  const store = await openScopedStore(t);
  const event = createEvent({ type: 'x', data: 1 });
  const cases: Array<[string, (emit: Uow['emit']) => void]> = [
    ['bad topic name', (emit) => emit('bad topic', event)],
    ['not an envelope', (emit) => emit('ok', { id: 'x', type: 'y' } as never)],
    ['delayMs and deliverAt', (emit) => emit('ok', event, { delayMs: 1, deliverAt: Date.now() })],
    ['data that is not JSON', (emit) => emit('ok', createEvent({ type: 'x', data: 1n }))],
  ];
  for (const [name, bad] of cases) {
    let reached = false;
    await assert.rejects(
      store.transaction(async ({ tx, emit }) => {
        await tx.insertInto('effects').values({ event_id: name, worker: 1 }).execute();
        bad(emit);
        reached = true;
      }),
      ValidationError,
      name,
    );
    assert.equal(reached, false, `${name}: emit did not throw at once`);
  }
  assert.deepEqual(await store.db.selectFrom('effects').selectAll().execute(), []);
  assert.deepEqual(await outboxOf(store), []);
});

test('migrations apply once per app, also when two stores race', { skip }, async (t) => {
  const schema = uniqueSchema();
  const [a, b] = await Promise.all([
    openPostgresStore(POSTGRES_URL, { schema }),
    openPostgresStore(POSTGRES_URL, { schema }),
  ]);
  t.after(async () => {
    await a.close();
    await b.close();
    await dropSchema(schema);
  });
  let ups = 0;
  const migrations = {
    '001-notes': {
      up: async (db: Kysely<unknown>) => {
        ups++;
        await db.schema
          .createTable('notes')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .execute();
      },
    },
  };
  await Promise.all([a.migrate('notes', migrations), b.migrate('notes', migrations)]);
  await a.migrate('notes', migrations);
  assert.equal(ups, 1);
  // A second migration runs alone; another app has its own history.
  let more002 = 0;
  const more = {
    ...migrations,
    '002-notes-text': {
      up: async (db: Kysely<unknown>) => {
        more002++;
        await db.schema.alterTable('notes').addColumn('text', 'text').execute();
      },
    },
  };
  await b.migrate('notes', more);
  await a.migrate('notes', more);
  assert.equal(more002, 1);
  let otherUps = 0;
  await a.migrate('other', {
    '001-notes': {
      up: async (db: Kysely<unknown>) => {
        otherUps++;
        await db.schema.createTable('other_notes').addColumn('id', 'text').execute();
      },
    },
  });
  assert.equal(ups, 1, 'no migration of notes ran twice');
  assert.equal(otherUps, 1, 'the other app has its own history');
  const tables = await queryIn<{ table_name: string }>(
    schema,
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
    [schema],
  );
  assert.ok(tables.some((row) => row.table_name === 'ey_migrations_notes'));
  assert.ok(tables.some((row) => row.table_name === 'ey_migrations_other'));
});

test('stores in two schemas of one database each migrate their own tables', { skip }, async (t) => {
  const schemas = [uniqueSchema(), uniqueSchema()];
  const stores = await Promise.all(
    schemas.map((schema) => openPostgresStore(POSTGRES_URL, { schema })),
  );
  t.after(async () => {
    for (const store of stores) await store.close();
    for (const schema of schemas) await dropSchema(schema);
  });
  const migrations = {
    '001-notes': {
      up: async (db: Kysely<unknown>) => {
        await db.schema.createTable('notes').addColumn('id', 'text').execute();
      },
    },
  };
  // One after the other: the second must not take the first's history for its own.
  for (const store of stores) await store.migrate('notes', migrations);
  for (const schema of schemas) {
    const tables = await queryIn<{ table_name: string }>(
      schema,
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
      [schema],
    );
    const names = tables.map((row) => row.table_name);
    for (const name of ['notes', 'ey_migrations_notes', 'ey_migrations_notes_lock']) {
      assert.ok(names.includes(name), `${schema} has no ${name}: ${names.join(', ')}`);
    }
  }
});

test('an unreachable server is an EngineError naming the address, not the password', async () => {
  await assert.rejects(
    openPostgresStore('postgres://me:secret@127.0.0.1:1/nowhere', { connectTimeoutMs: 2_000 }),
    (error: Error) =>
      error instanceof EngineError &&
      error.message.includes('127.0.0.1:1/nowhere') &&
      !error.message.includes('secret'),
  );
});

test('a schema name that is not a plain identifier is refused', async () => {
  await assert.rejects(openPostgresStore(POSTGRES_URL, { schema: 'x; DROP' }), /schema/);
  await assert.rejects(openPostgresStore('mysql://h/db'), /not a PostgreSQL URL/);
});

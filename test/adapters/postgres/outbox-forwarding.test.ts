/**
 * The PostgreSQL outbox forwarded to a real broker (the embedded log in a
 * temp dir): out-of-order commits are not skipped, per-key order holds
 * across concurrent writers and a change of leader, NOTIFY and polling both
 * wake the forwarder, delayed and refused rows.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import pg from 'pg';
import type { PostgresStore } from '../../../src/adapters/db/postgres/index.ts';
import type { Broker } from '../../../src/core/broker.ts';
import { createEvent, type Envelope } from '../../../src/core/envelope.ts';
import {
  OutboxForwarder,
  type OutboxForwarderOptions,
} from '../../../src/runtime/outbox-forwarder.ts';
import { uniqueName } from '../../support/names.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { delay, waitFor } from '../../support/wait.ts';
import {
  type EffectsDb,
  openEmbeddedBroker,
  openScopedStore,
  POSTGRES_URL,
  queryIn,
  readTopic,
  skipUnlessPostgres,
} from './fixtures/postgres-scope.ts';

const skip = await skipUnlessPostgres();

function embeddedBroker(t: TestContext, maxEventBytes?: number): Broker {
  const dir = tempDir();
  const broker = openEmbeddedBroker(dir.path, maxEventBytes);
  t.after(async () => {
    await broker.close();
    dir.remove();
  });
  return broker;
}

function forwarder(
  t: TestContext,
  store: PostgresStore<EffectsDb>,
  broker: Broker,
  options: Partial<OutboxForwarderOptions> = {},
): OutboxForwarder {
  const started = new OutboxForwarder({
    source: store.outbox,
    broker,
    pollMs: 100,
    retryMs: 20,
    ...options,
  }).start();
  t.after(() => started.close());
  return started;
}

function emitOne(store: PostgresStore<EffectsDb>, topic: string, data: unknown, key?: string) {
  return store.transaction(({ emit }) => emit(topic, createEvent({ type: 'row', data, key })));
}

test('a transaction that took a lower id and commits late is still forwarded', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const broker = embeddedBroker(t);
  const topic = uniqueName('trap');
  // Test-only trigger: records the id a row took, then holds its transaction
  // on an advisory lock this test owns, so A sits uncommitted with a low id.
  await queryIn(
    store.schema,
    `CREATE TABLE trap_ids (id bigint, label text);
     CREATE FUNCTION hold_row() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       INSERT INTO trap_ids VALUES (NEW.id, NEW.body::jsonb ->> 'data');
       IF NEW.body::jsonb ->> 'data' = 'A' THEN PERFORM pg_advisory_xact_lock(hashtext(current_schema())); END IF;
       RETURN NEW;
     END $$;
     CREATE TRIGGER hold_row AFTER INSERT ON ey_outbox FOR EACH ROW EXECUTE FUNCTION hold_row();`,
  );
  const holder = new pg.Client({ connectionString: POSTGRES_URL });
  await holder.connect();
  t.after(() => holder.end());
  await holder.query('SELECT pg_advisory_lock(hashtext($1))', [store.schema]);
  forwarder(t, store, broker);

  const a = emitOne(store, topic, 'A');
  await waitFor('A took its id', async () => {
    const rows = await queryIn<{ is_called: boolean }>(
      store.schema,
      'SELECT is_called FROM ey_outbox_id_seq',
    );
    return rows[0]?.is_called;
  });
  await emitOne(store, topic, 'B');
  await waitFor('B forwarded', async () => (await readTopic(broker, topic)).length === 1);
  assert.equal((await store.outbox.lag()).waiting, 0, 'A is not visible yet');

  await holder.query('SELECT pg_advisory_unlock(hashtext($1))', [store.schema]);
  await a;
  await waitFor('A forwarded', async () => (await readTopic(broker, topic)).length === 2);
  assert.deepEqual(
    (await readTopic(broker, topic)).map((event) => event.data),
    ['B', 'A'],
  );
  const ids = await queryIn<{ id: string; label: string }>(
    store.schema,
    'SELECT id, label FROM trap_ids ORDER BY id',
  );
  assert.deepEqual(
    ids.map((row) => row.label),
    ['A', 'B'],
    'A held the lower id',
  );
  assert.deepEqual(await store.outbox.lag(), { waiting: 0, delayed: 0, oldestMs: 0 });
});

test('rows of one key reach the topic in commit order, across a change of leader', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const broker = embeddedBroker(t);
  const topic = uniqueName('order');
  const keys = ['k0', 'k1', 'k2', 'k3'];
  const perKey = 40;
  const first = forwarder(t, store, broker, { batchSize: 7 });
  const second = forwarder(t, store, broker, { batchSize: 7 });
  const writers = keys.map(async (key) => {
    for (let seq = 0; seq < perKey; seq++) {
      await store.transaction(({ emit }) => {
        emit(topic, createEvent({ type: 'row', data: { key, seq }, key }));
        if (seq % 10 === 0) emit(topic, createEvent({ type: 'row', data: { key, seq: -1 }, key }));
      });
    }
  });
  await waitFor('a leader', () => first.leading || second.leading);
  await delay(50);
  await (first.leading ? first : second).close();
  await Promise.all(writers);
  const total = keys.length * (perKey + 4);
  await waitFor('all forwarded', async () => (await store.outbox.lag()).waiting === 0, 20_000);
  const events = await readTopic(broker, topic);
  assert.ok(events.length >= total, `${events.length} of ${total} forwarded`);
  for (const key of keys) {
    const seen = new Set<string>();
    const order = events
      .filter((event) => (event.data as { key: string }).key === key)
      .filter((event) => !seen.has(event.id) && seen.add(event.id))
      .map((event) => (event.data as { seq: number }).seq)
      .filter((seq) => seq >= 0);
    assert.deepEqual(
      order,
      Array.from({ length: perKey }, (_, seq) => seq),
      `order of ${key}`,
    );
  }
});

test('a commit wakes the forwarder through NOTIFY; without NOTIFY it polls', {
  skip,
}, async (t) => {
  const noticed = await openScopedStore(t);
  const broker = embeddedBroker(t);
  const topic = uniqueName('wake');
  const listening = forwarder(t, noticed, broker, { pollMs: 120_000 });
  await waitFor('leading', () => listening.leading);
  await delay(100); // past the first fetch: only a notice can wake it now
  await emitOne(noticed, topic, 'noticed');
  await waitFor('forwarded on notice', async () => (await readTopic(broker, topic)).length === 1);

  const silent = await openScopedStore(t, { notify: false });
  const polling = forwarder(t, silent, broker, { pollMs: 50 });
  await waitFor('leading', () => polling.leading);
  await emitOne(silent, topic, 'polled');
  await waitFor('forwarded by polling', async () => (await readTopic(broker, topic)).length === 2);
});

test('delayed rows go out at once with deliverAt and are consumed when due', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const broker = embeddedBroker(t);
  const topic = uniqueName('delayed');
  forwarder(t, store, broker);
  const received: number[] = [];
  const subscription = await broker.subscribe({
    topic,
    group: 'g',
    handler: () => void received.push(Date.now()),
  });
  t.after(() => subscription.close());
  const due = Date.now() + 400;
  await store.transaction(({ emit }) =>
    emit(topic, createEvent({ type: 'later', data: 1 }), { deliverAt: due }),
  );
  await waitFor('handed to the broker', async () => {
    const lag = await store.outbox.lag();
    return lag.waiting + lag.delayed === 0;
  });
  assert.ok(Date.now() < due, 'the forwarder waited instead of passing deliverAt on');
  await waitFor('consumed', () => received.length === 1, 5_000);
  assert.ok(received[0]! >= due - 5, `consumed ${due - received[0]!} ms early`);
});

test('without delayed delivery in the broker, delayed rows wait in the outbox', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const embedded = embeddedBroker(t);
  const broker = {
    capabilities: { ...embedded.capabilities, delayedDelivery: false },
    publish: (topic: string, events: Envelope | readonly Envelope[], options?: object) => {
      assert.deepEqual(options, {}, 'no deliverAt is passed on');
      return embedded.publish(topic, events);
    },
  } as unknown as Broker;
  const topic = uniqueName('held');
  forwarder(t, store, broker);
  const due = Date.now() + 500;
  await store.transaction(({ emit }) =>
    emit(topic, createEvent({ type: 'later', data: 'later' }), { deliverAt: due }),
  );
  await emitOne(store, topic, 'now');
  await waitFor('undelayed forwarded', async () => (await readTopic(embedded, topic)).length === 1);
  const lag = await store.outbox.lag();
  if (Date.now() < due) assert.equal(lag.delayed, 1, 'the delayed row is held');
  await waitFor('forwarded when due', async () => (await readTopic(embedded, topic)).length === 2);
  assert.ok(Date.now() >= due);
  assert.deepEqual(
    (await readTopic(embedded, topic)).map((event) => event.data),
    ['now', 'later'],
  );
});

test('an event the broker refuses is moved to ey_outbox_rejected; the rest flows', {
  skip,
}, async (t) => {
  const store = await openScopedStore(t);
  const broker = embeddedBroker(t, 4_096);
  const topic = uniqueName('refused');
  const errors: Error[] = [];
  forwarder(t, store, broker, { onError: (error) => errors.push(error) });
  await store.transaction(({ emit }) => {
    emit(topic, createEvent({ type: 'row', data: 'before' }));
    emit(topic, createEvent({ type: 'row', data: 'x'.repeat(10_000) }));
    emit(topic, createEvent({ type: 'row', data: 'after' }));
  });
  await waitFor('the others forwarded', async () => (await readTopic(broker, topic)).length === 2);
  assert.deepEqual(
    (await readTopic(broker, topic)).map((event) => event.data),
    ['before', 'after'],
  );
  const rejected = await queryIn<{ reason: string; topic: string }>(
    store.schema,
    'SELECT topic, reason FROM ey_outbox_rejected',
  );
  assert.equal(rejected.length, 1);
  assert.equal(rejected[0]!.topic, topic);
  assert.match(rejected[0]!.reason, /larger than 4096 bytes/);
  assert.match(errors[0]?.message ?? '', /moved aside/);
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEvent } from '../../../src/core/envelope.ts';
import { ValidationError } from '../../../src/core/errors.ts';
import { uniqueName } from '../../support/names.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { effectHandler, openEmbedded } from './fixtures/embedded-engine.ts';

const WORKER = fileURLToPath(new URL('./fixtures/effect-worker.ts', import.meta.url));
const ROUNDS = Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 20);

async function readAll(engine: Awaited<ReturnType<typeof openEmbedded>>, topic: string) {
  const out = [];
  for await (const stored of engine.broker.read(topic, { from: 'earliest' }))
    out.push(stored.event);
  return out;
}

test('a unit of work commits state and emitted events together', async (t) => {
  const dir = tempDir();
  const engine = await openEmbedded(dir.path);
  t.after(async () => {
    await engine.close();
    dir.remove();
  });
  const topic = uniqueName('uow');
  const result = await engine.store.transaction(async ({ tx, emit }) => {
    await tx.insertInto('effects').values({ event_id: 'a', worker: 1 }).execute();
    emit(topic, createEvent({ type: 'made', data: { id: 'a' } }));
    return 'done';
  });
  assert.deepEqual(result, { duplicate: false, value: 'done' });
  assert.equal((await engine.db.selectFrom('effects').selectAll().execute()).length, 1);
  assert.deepEqual(
    (await readAll(engine, topic)).map((e) => e.data),
    [{ id: 'a' }],
  );
});

test('a throw rolls back state and emitted events, also to a topic it created', async (t) => {
  const dir = tempDir();
  const engine = await openEmbedded(dir.path);
  t.after(async () => {
    await engine.close();
    dir.remove();
  });
  const topic = uniqueName('rollback');
  await assert.rejects(
    engine.store.transaction(async ({ tx, emit }) => {
      await tx.insertInto('effects').values({ event_id: 'b', worker: 1 }).execute();
      emit(topic, createEvent({ type: 'made', data: {} }));
      throw new Error('changed my mind');
    }),
    /changed my mind/,
  );
  assert.equal((await engine.db.selectFrom('effects').selectAll().execute()).length, 0);
  assert.equal(
    (await engine.broker.topics()).some((info) => info.topic === topic),
    false,
  );
  // The topic can still be created and used afterwards.
  await engine.store.transaction(({ emit }) => emit(topic, createEvent({ type: 'made', data: 1 })));
  assert.equal((await readAll(engine, topic)).length, 1);
});

test('an event id already in the inbox of the group has no second effect', async (t) => {
  const dir = tempDir();
  const engine = await openEmbedded(dir.path);
  t.after(async () => {
    await engine.close();
    dir.remove();
  });
  let runs = 0;
  const work = async ({ tx }: { tx: typeof engine.db }) => {
    runs++;
    await tx.insertInto('effects').values({ event_id: 'c', worker: 1 }).execute();
  };
  const inbox = { group: 'g1', eventId: 'event-1' };
  assert.equal((await engine.store.transaction(work, { inbox })).duplicate, false);
  assert.equal((await engine.store.transaction(work, { inbox })).duplicate, true);
  assert.equal(runs, 1);
  // Another group handling the same event is not a duplicate.
  assert.equal(
    (await engine.store.transaction(work, { inbox: { group: 'g2', eventId: 'event-1' } }))
      .duplicate,
    false,
  );
  assert.equal((await engine.db.selectFrom('effects').selectAll().execute()).length, 2);
});

test('emit validates at once and delayed emits wait for their time', async (t) => {
  const dir = tempDir();
  const engine = await openEmbedded(dir.path);
  t.after(async () => {
    await engine.close();
    dir.remove();
  });
  const topic = uniqueName('delayed-emit');
  await assert.rejects(
    engine.store.transaction(({ emit }) => emit('bad topic', createEvent({ type: 'x', data: 1 }))),
    ValidationError,
  );
  const seen: number[] = [];
  await engine.broker.subscribe({ topic, group: 'g', handler: () => void seen.push(Date.now()) });
  const start = Date.now();
  await engine.store.transaction(({ emit }) =>
    emit(topic, createEvent({ type: 'later', data: 1 }), { delayMs: 300 }),
  );
  await waitFor('delayed event', () => seen.length === 1, 5_000);
  assert.ok(seen[0]! - start >= 290, `delivered after ${seen[0]! - start} ms`);
});

test(`with the unit of work every event's effect is applied exactly once across kill -9 (${ROUNDS} rounds)`, {
  timeout: 240_000,
}, async (t) => {
  const dir = tempDir();
  const engine = await openEmbedded(dir.path);
  t.after(async () => {
    await engine.close();
    dir.remove();
  });
  const topic = uniqueName('exactly-once');
  const group = 'effects';
  const published: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const batch = Array.from({ length: 100 }, (_, i) =>
      createEvent({ type: 'work', data: { round, i }, key: `k${i % 10}` }),
    );
    await engine.broker.publish(topic, batch);
    published.push(...batch.map((e) => e.id));
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, dir.path, topic, group], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`worker exited early: ${code}`)));
    });
    await delay(Math.floor(Math.random() * 250));
    child.kill('SIGKILL');
    await exited;
  }
  // The last worker is this process: drain what the killed ones left.
  await engine.broker.subscribe({ topic, group, handler: effectHandler(engine.store, topic) });
  await waitFor(
    'all effects',
    async () =>
      (await engine.db.selectFrom('effects').select('event_id').execute()).length >=
      published.length,
    60_000,
    50,
  );
  await delay(300);
  const effects = await engine.db.selectFrom('effects').select(['event_id', 'worker']).execute();
  const counts = new Map<string, number>();
  for (const row of effects) counts.set(row.event_id, (counts.get(row.event_id) ?? 0) + 1);
  assert.equal(counts.size, published.length, 'some events had no effect');
  assert.deepEqual(
    [...counts].filter(([, n]) => n !== 1),
    [],
    'an effect was applied twice',
  );
  const derived = (await readAll(engine, `${topic}-derived`)).map(
    (e) => (e.data as { from: string }).from,
  );
  assert.equal(derived.length, published.length, 'derived events lost or duplicated');
  assert.equal(new Set(derived).size, published.length);
  assert.ok(
    new Set(effects.map((row) => row.worker)).size > 2,
    'the killed workers did not take part',
  );
});

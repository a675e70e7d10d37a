/**
 * kill -9 of a process forwarding a PostgreSQL outbox, at random points,
 * while units of work keep committing: every committed event reaches the
 * topic at least once, and a consumer with a unit of work (inbox) applies
 * each exactly once.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEvent } from '../../../src/core/envelope.ts';
import { OutboxForwarder } from '../../../src/runtime/outbox-forwarder.ts';
import { uniqueName } from '../../support/names.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { delay, waitFor } from '../../support/wait.ts';
import {
  openEmbeddedBroker,
  openScopedStore,
  readTopic,
  skipUnlessPostgres,
} from './fixtures/postgres-scope.ts';

const skip = await skipUnlessPostgres();
const FORWARDER = fileURLToPath(new URL('./fixtures/forwarder-process.ts', import.meta.url));
const ROUNDS = Math.max(10, Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 12));

/** Starts a forwarder process, waits until it leads, kills it -9 after a random while. */
async function killForwarderAtRandom(schema: string, dir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', FORWARDER, schema, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`forwarder exited early: ${code}`)));
  });
  await delay(Math.floor(Math.random() * 300));
  child.kill('SIGKILL');
  await exited;
}

test(`every committed outbox row has exactly one effect across kill -9 of the forwarder (${ROUNDS} rounds)`, {
  skip,
  timeout: 240_000,
}, async (t) => {
  const store = await openScopedStore(t);
  const dir = tempDir();
  const broker = openEmbeddedBroker(dir.path);
  t.after(async () => {
    await broker.close();
    dir.remove();
  });
  const topic = uniqueName('crash');
  const committed: string[] = [];
  let writing = true;
  const writer = (async () => {
    for (let n = 0; writing; n++) {
      const events = Array.from({ length: 1 + (n % 3) }, (_, i) =>
        createEvent({ type: 'work', data: { n, i }, key: `k${n % 5}` }),
      );
      await store.transaction(({ emit }) => emit(topic, events));
      committed.push(...events.map((event) => event.id));
      await delay(2);
    }
  })();
  const subscription = await broker.subscribe({
    topic,
    group: 'effects',
    policy: { concurrency: 4 },
    handler: async (event, context) => {
      await store.transaction(
        ({ tx }) => tx.insertInto('effects').values({ event_id: event.id, worker: 1 }).execute(),
        { inbox: { group: context.group, eventId: event.id } },
      );
    },
  });
  t.after(() => subscription.close());

  for (let round = 0; round < ROUNDS; round++) await killForwarderAtRandom(store.schema, dir.path);
  writing = false;
  await writer;
  const byKilled = (await readTopic(broker, topic)).length;
  assert.ok(byKilled > 0, 'the killed forwarders forwarded nothing');

  // This process forwards what the killed ones left.
  const last = new OutboxForwarder({ source: store.outbox, broker, pollMs: 50 }).start();
  t.after(() => last.close());
  await waitFor('outbox drained', async () => (await store.outbox.lag()).waiting === 0, 30_000);
  const onTopic = (await readTopic(broker, topic)).map((event) => event.id);
  const missing = committed.filter((id) => !onTopic.includes(id));
  assert.deepEqual(missing, [], 'committed rows never reached the topic');

  await waitFor(
    'every effect',
    async () =>
      (await store.db.selectFrom('effects').select('event_id').execute()).length >=
      committed.length,
    60_000,
    50,
  );
  await delay(300);
  const effects = await store.db.selectFrom('effects').select('event_id').execute();
  const counts = new Map<string, number>();
  for (const row of effects) counts.set(row.event_id, (counts.get(row.event_id) ?? 0) + 1);
  assert.equal(counts.size, committed.length, 'some events had no effect');
  assert.deepEqual(
    [...counts].filter(([, n]) => n !== 1),
    [],
    'an effect was applied twice',
  );
  const duplicates = onTopic.length - new Set(onTopic).size;
  t.diagnostic(
    `${committed.length} events, ${duplicates} duplicates on the topic, ${byKilled} forwarded by killed processes`,
  );
  // The forwarder pauses after each publish, so kills land between a publish
  // and its delete: the inbox, not luck, kept the effects single.
  assert.ok(duplicates > 0, 'no kill landed between a publish and its delete');
});

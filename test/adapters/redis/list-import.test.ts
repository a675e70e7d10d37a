/**
 * MinIO's Redis notification target (format `access`) RPUSHes its events to
 * a list; the broker's `import=<list>:<topic>` moves them onto a topic as
 * adopted envelopes. Items are pushed with plain ioredis in MinIO's exact
 * shape, and nothing is lost when the importer dies (kill -9) mid-flow or
 * leaves an item in its processing list.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { openRedisTransport } from '../../../src/adapters/brokers/redis/index.ts';
import type { Broker } from '../../../src/core/broker.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import type { Envelope } from '../../../src/core/envelope.ts';
import { prefixOf, REDIS_URL, removeKeys, target } from '../../conformance/targets/redis.ts';
import { uniqueName } from '../../support/names.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { minioAccessItem, minioRecord } from './fixtures/minio-record.ts';

const skip = await target.skip?.();
const IMPORTER = fileURLToPath(new URL('./fixtures/importer-process.ts', import.meta.url));
const ROUNDS = Math.min(5, Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 3));

let client: Redis;
const scopes: string[] = [];

before(async () => {
  if (skip) return;
  client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

after(async () => {
  if (skip) return;
  await Promise.all(brokers.map((broker) => broker.close()));
  for (const scope of scopes) await removeKeys(client, `${scope}*`);
  client.disconnect();
});

/** A prefix, list and topic of the test's own, and the broker URL that imports one into the other. */
function scopeOf(name: string) {
  const prefix = prefixOf(uniqueName(name));
  const list = `${prefix}-minio-events`;
  const topic = uniqueName('bucket-events');
  scopes.push(prefix);
  const url = `${REDIS_URL}?prefix=${prefix}&import=${encodeURIComponent(`${list}:${topic}`)}`;
  return { prefix, list, topic, url };
}

const brokers: Broker[] = [];

/** A broker closed at the end even when its test fails. */
function openBroker(url: string, leaseMs = 1_000): Broker {
  const broker = createBroker(openRedisTransport(url, { leaseMs, blockMs: 500 }));
  brokers.push(broker);
  return broker;
}

/** Waits until neither the list nor its processing list holds anything. */
async function drained(list: string): Promise<void> {
  await waitFor(`${list} drained`, async () => {
    const [waiting, processing] = await Promise.all([
      client.llen(list),
      client.llen(`${list}:eventyard-processing`),
    ]);
    return waiting + processing === 0;
  });
}

/** Subscribes and gathers each event by id. */
async function collect(broker: Broker, topic: string) {
  const seen = new Map<string, Envelope>();
  let deliveries = 0;
  const subscription = await broker.subscribe({
    topic,
    group: 'indexer',
    handler: (event) => {
      deliveries++;
      seen.set(event.id, event);
    },
  });
  return { seen, subscription, deliveries: () => deliveries };
}

test('a MinIO access-format item becomes the notification envelope', { skip }, async () => {
  const { list, topic, url } = scopeOf('import-shape');
  const broker = openBroker(url);
  await broker.ready();
  const { seen, subscription } = await collect(broker, topic);
  const time = new Date('2026-11-24T10:11:12.345Z');
  const record = minioRecord('photos', 'holiday 2026/cat (1).jpg', time);
  assert.equal(record.s3.object.key, 'holiday+2026%2Fcat+%281%29.jpg', 'escaped as MinIO does');
  await client.rpush(list, minioAccessItem(record));

  await waitFor('the imported event', () => seen.size === 1);
  const [event] = [...seen.values()] as [Envelope];
  assert.equal(event.type, 'com.amazonaws.s3.ObjectCreated:Put');
  assert.equal(event.source, 'arn:aws:s3:::photos');
  assert.equal(event.subject, 'holiday 2026/cat (1).jpg');
  assert.equal(event.partitionkey, 'photos/holiday 2026/cat (1).jpg');
  assert.equal(event.time, time.toISOString(), "MinIO's EventTime");
  assert.deepEqual(event.data, {
    EventName: 's3:ObjectCreated:Put',
    Key: 'photos/holiday 2026/cat (1).jpg',
    Records: [record],
  });
  await drained(list);
  await subscription.close();
  await broker.close();
});

test('an item that is no MinIO event is adopted as a foreign message', { skip }, async () => {
  const { list, topic, url } = scopeOf('import-foreign');
  const broker = openBroker(url);
  await broker.ready();
  const { seen, subscription } = await collect(broker, topic);
  await client.rpush(list, 'plain text, not JSON');
  await waitFor('the adopted message', () => seen.size === 1);
  const [event] = [...seen.values()] as [Envelope];
  assert.equal(event.type, 'eventyard.foreign.message');
  assert.equal(event.data, 'plain text, not JSON');
  await subscription.close();
  await broker.close();
});

test('an item a dead importer left in its processing list is published by a running one', {
  skip,
}, async () => {
  const { list, topic, url } = scopeOf('import-sweep');
  const broker = openBroker(url, 500);
  await broker.ready();
  const { seen, subscription } = await collect(broker, topic);
  // What a kill -9 between BLMOVE and LREM leaves behind, while this importer runs on.
  const record = minioRecord('photos', 'left-behind.jpg', new Date());
  await client.rpush(`${list}:eventyard-processing`, minioAccessItem(record));
  await waitFor('the left-behind item', () => seen.size === 1, 5_000);
  assert.equal([...seen.values()][0]!.subject, 'left-behind.jpg');
  await drained(list);
  await subscription.close();
  await broker.close();
});

/** Starts an importer process; resolves once it runs. */
async function startImporter(url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', IMPORTER, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`importer exited early: ${code}`)));
  });
  return {
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

test(`no item is lost when the importer is killed -9 mid-flow (${ROUNDS} rounds)`, {
  skip,
  timeout: 120_000,
}, async () => {
  const { list, topic, url } = scopeOf('import-crash');
  const keys: string[] = [];
  let pushing = true;
  const pusher = (async () => {
    for (let n = 0; pushing; n++) {
      const key = `crash/${n}.jpg`;
      keys.push(key);
      await client.rpush(list, minioAccessItem(minioRecord('photos', key, new Date())));
      if (n % 20 === 0) await delay(5);
    }
  })();
  for (let round = 0; round < ROUNDS; round++) {
    const importer = await startImporter(url);
    await delay(100 + Math.floor(Math.random() * 400));
    await importer.kill();
  }
  pushing = false;
  await pusher;

  // A fresh process drains what is left: in the list, or in the processing list.
  const broker = openBroker(url);
  await broker.ready();
  const { seen, subscription } = await collect(broker, topic);
  const subjects = () => new Set([...seen.values()].map((event) => event.subject));
  await waitFor(`all ${keys.length} items`, () => subjects().size === keys.length, 30_000);
  assert.deepEqual([...subjects()].sort(), [...keys].sort());
  assert.equal(seen.size, keys.length, 'a repeat carries the same event id');
  await drained(list);
  await subscription.close();
  await broker.close();
});

test('a bad import parameter is refused, naming it', () => {
  assert.throws(
    () => openRedisTransport('redis://user:secret@127.0.0.1:6379?import=no-topic'),
    (error: Error) =>
      /parameter import=no-topic/.test(error.message) && !error.message.includes('secret'),
  );
});

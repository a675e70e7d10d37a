/**
 * Redis Streams: publish and consume events/s through eventyard's redis
 * adapter and through raw ioredis doing the same work, in one run, on the
 * same server (so the same durability: whatever its appendonly/appendfsync
 * say). Both sides publish the same 1 KiB envelopes from `callers`
 * concurrent callers on one connection, each awaiting its own publish
 * (raw: one XADD per event, round-robin over the same number of partition
 * streams; ioredis pipelines concurrent commands on the socket either way),
 * then consume them with a consumer group: raw reads with a blocking
 * XREADGROUP over the partition streams, JSON.parse each entry and sends
 * one XACK per event. Keys are named per run and deleted at the end.
 *
 * Alone: `node --import tsx bench/redis.ts [--quick]`.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisTransport } from '../src/adapters/brokers/redis/index.ts';
import type { Broker } from '../src/core/broker.ts';
import { createBroker } from '../src/core/create-broker.ts';
import type { Envelope } from '../src/core/envelope.ts';
import { consumeAll } from './consume.ts';
import {
  collectGarbage,
  type Ratio,
  ratio,
  runCallers,
  type Throughput,
  throughput,
} from './measurement.ts';
import { benchEvents, type OrderData } from './workload.ts';

export const REDIS_BENCH_URL = process.env.EVENTYARD_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface RedisRun {
  readonly callers: number;
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
  /** Time cap of each publish measurement. */
  readonly seconds: number;
  /** Partition streams of a topic, on both sides. */
  readonly partitions: number;
  /** Entries per stream a raw XREADGROUP asks for (eventyard reads up to its window, 64 by default). */
  readonly readCount: number;
  /** Measured rounds per side, alternating which side goes first. */
  readonly rounds: number;
}

export interface RedisResult {
  readonly throughputs: Throughput[];
  readonly ratios: Ratio[];
  readonly notes: string[];
}

/** Floor the issue sets: each adapter at least this fraction of its raw client. */
export const TARGET_RAW_RATIO = 0.9;

/** The open connection, or undefined when nothing answers at `url`. */
export async function connectRedis(url = REDIS_BENCH_URL): Promise<Redis | undefined> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch {
    client.disconnect();
    return undefined;
  }
}

// --- eventyard ---------------------------------------------------------

async function eventyardPublish(
  broker: Broker,
  topic: string,
  run: RedisRun,
  events: readonly Envelope[],
  seconds: number,
) {
  return runCallers(run.callers, events.length, seconds, (i) =>
    broker.publish(topic, [events[i]!]),
  );
}

/** One side of the comparison: warmed up once, then measured round after round. */
interface Side {
  warm(): Promise<void>;
  /** Publishes the run's events to a topic named `name`, then consumes them. */
  round(name: string): Promise<RoundResult>;
  close(): Promise<void>;
}

interface RoundResult {
  readonly published: { completed: number; elapsedMs: number };
  readonly consumeMs: number;
}

async function eventyardSide(run: RedisRun, prefix: string, url: string): Promise<Side> {
  const broker = createBroker(
    new RedisTransport(`${url}?prefix=${prefix}&partitions=${run.partitions}`),
  );
  await broker.ready();
  return {
    async warm() {
      await eventyardPublish(broker, 'warmup', run, run.warmup, 60);
      await consumeAll(broker, 'warmup', run.warmup.length);
    },
    async round(name) {
      const published = await eventyardPublish(broker, name, run, run.events, run.seconds);
      return { published, consumeMs: await consumeAll(broker, name, published.completed) };
    },
    close: () => broker.close(),
  };
}

// --- raw ioredis -------------------------------------------------------

async function rawPublish(
  client: Redis,
  streams: readonly string[],
  run: RedisRun,
  events: readonly Envelope[],
  seconds: number,
) {
  return runCallers(run.callers, events.length, seconds, (i) =>
    client.xadd(streams[i % streams.length]!, '*', 'e', JSON.stringify(events[i])),
  );
}

async function rawConsume(
  client: Redis,
  reader: Redis,
  streams: readonly string[],
  count: number,
  readCount: number,
): Promise<number> {
  const group = 'bench-consumer';
  collectGarbage();
  const started = performance.now();
  for (const stream of streams) await client.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  let handled = 0;
  let total = 0;
  const acks: Array<Promise<unknown>> = [];
  while (handled < count) {
    const reply = (await reader.call(
      'XREADGROUP',
      'GROUP',
      group,
      'raw-1',
      'COUNT',
      readCount,
      'BLOCK',
      1_000,
      'STREAMS',
      ...streams,
      ...streams.map(() => '>'),
    )) as Array<[string, Array<[string, string[]]>]> | null;
    for (const [stream, rows] of reply ?? []) {
      for (const [id, fields] of rows) {
        total += (JSON.parse(fields[1]!) as Envelope<OrderData>).data.amountCents;
        acks.push(client.xack(stream, group, id));
        handled++;
      }
    }
  }
  await Promise.all(acks);
  const elapsedMs = performance.now() - started;
  if (total <= 0) throw new Error('raw consume handled no data');
  return elapsedMs;
}

async function rawSide(run: RedisRun, prefix: string, url: string): Promise<Side> {
  const client = new Redis(url, { protocol: 2 });
  const reader = new Redis(url, { protocol: 2 });
  const streamsOf = (name: string) =>
    Array.from({ length: run.partitions }, (_, p) => `${prefix}:raw:{${name}}:${p}`);
  return {
    async warm() {
      await rawPublish(client, streamsOf('warmup'), run, run.warmup, 60);
      await rawConsume(client, reader, streamsOf('warmup'), run.warmup.length, run.readCount);
    },
    async round(name) {
      const streams = streamsOf(name);
      const published = await rawPublish(client, streams, run, run.events, run.seconds);
      const consumeMs = await rawConsume(
        client,
        reader,
        streams,
        published.completed,
        run.readCount,
      );
      return { published, consumeMs };
    },
    async close() {
      client.disconnect();
      reader.disconnect();
    },
  };
}

async function removeKeys(client: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** The round with the highest rate of `pick`. */
function best(rounds: readonly RoundResult[], pick: (r: RoundResult) => number): RoundResult {
  return rounds.reduce((a, b) => (pick(b) > pick(a) ? b : a));
}

/**
 * Both sides in alternating rounds (eventyard first, then raw first, ...),
 * each side's best round kept: on a shared machine other work slows one
 * round or another, and alternating gives both sides the same chances.
 * Undefined when Redis is not reachable.
 */
export async function measureRedis(
  run: RedisRun,
  url = REDIS_BENCH_URL,
): Promise<RedisResult | undefined> {
  const admin = await connectRedis(url);
  if (!admin) return undefined;
  const prefix = `eybench-${randomUUID().slice(0, 8)}`;
  const sides: Side[] = [];
  try {
    const config = (await admin
      .call('CONFIG', 'GET', 'appendonly', 'appendfsync')
      .catch(() => [])) as string[];
    const ey = await eventyardSide(run, prefix, url);
    sides.push(ey);
    const raw = await rawSide(run, prefix, url);
    sides.push(raw);
    await ey.warm();
    await raw.warm();
    const results = new Map<Side, RoundResult[]>([
      [ey, []],
      [raw, []],
    ]);
    for (let r = 0; r < run.rounds; r++) {
      for (const side of r % 2 === 0 ? [ey, raw] : [raw, ey]) {
        results.get(side)!.push(await side.round(`orders-${r}`));
        await removeKeys(admin, `${prefix}:*{orders-${r}}*`);
      }
    }
    const publishRate = (x: RoundResult) => x.published.completed / x.published.elapsedMs;
    const consumeRate = (x: RoundResult) => x.published.completed / x.consumeMs;
    const eyPub = best(results.get(ey)!, publishRate);
    const rawPub = best(results.get(raw)!, publishRate);
    const eyCon = best(results.get(ey)!, consumeRate);
    const rawCon = best(results.get(raw)!, consumeRate);
    const eyPublish = throughput(
      `eventyard redis publish, ${run.callers} callers, 1 event each`,
      eyPub.published.completed,
      eyPub.published.elapsedMs,
    );
    const rawPublished = throughput(
      `raw ioredis XADD, ${run.callers} callers`,
      rawPub.published.completed,
      rawPub.published.elapsedMs,
    );
    const eyConsume = throughput(
      'eventyard redis consume, one group, default policy',
      eyCon.published.completed,
      eyCon.consumeMs,
    );
    const rawConsumed = throughput(
      `raw ioredis XREADGROUP COUNT ${run.readCount} + XACK each`,
      rawCon.published.completed,
      rawCon.consumeMs,
    );
    return {
      throughputs: [eyPublish, rawPublished, eyConsume, rawConsumed],
      ratios: [
        ratio('eventyard/raw redis publish', eyPublish, rawPublished, TARGET_RAW_RATIO),
        ratio('eventyard/raw redis consume', eyConsume, rawConsumed, TARGET_RAW_RATIO),
      ],
      notes: [
        `server ${config.join(' ') || '(CONFIG refused)'}: both sides get the same durability`,
        `${run.partitions} partition streams per topic on both sides; best of ${run.rounds} alternating rounds per side`,
        'eventyard commits concurrent publishes as a group (one script call per turn of the event loop); raw sends one XADD per event',
      ],
    };
  } finally {
    for (const side of sides) await side.close();
    await removeKeys(admin, `${prefix}:*`);
    admin.disconnect();
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const count = quick ? 5_000 : 100_000;
  const result = await measureRedis({
    callers: quick ? 32 : 256,
    events: benchEvents(count),
    warmup: benchEvents(quick ? 500 : 5_000, count),
    seconds: quick ? 1 : 4,
    partitions: 8,
    readCount: 64,
    rounds: quick ? 1 : 5,
  });
  if (!result) {
    console.log(`SKIP redis not reachable at ${REDIS_BENCH_URL}`);
    return;
  }
  for (const t of result.throughputs) {
    console.log(
      `${t.name.padEnd(60)} ${Math.round(t.eventsPerSecond).toLocaleString('en-US').padStart(10)} events/s  (${t.events} in ${t.seconds.toFixed(2)} s)`,
    );
  }
  for (const r of result.ratios)
    console.log(`${r.name.padEnd(60)} ${r.value.toFixed(2)}x (target >= ${r.atLeast}x)`);
  for (const note of result.notes) console.log(`note: ${note}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

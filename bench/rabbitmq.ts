/**
 * The RabbitMQ adapter against raw amqplib, in one run: the same 1 KiB
 * envelopes published by the same number of concurrent callers, each
 * awaiting its publisher confirm, into a stream queue; then consumed by one
 * group with an explicit ack per event. The raw side publishes with
 * `sendToQueue` on a confirm channel (a callback per message) and consumes
 * the stream from `first` with `prefetch` equal to eventyard's
 * `maxInFlight`, parsing each body and acking it. Eventyard's side is the
 * broker over `RabbitMqTransport`, which also validates each envelope and
 * resolves on the same confirm; like raw AMQP it learns no offset on
 * publish (`publishOffsets: false`).
 *
 * Both sides run in alternating rounds (eventyard first, then raw first,
 * ...), each round into a fresh stream that one untimed event created first
 * and that is deleted after the round, and each side's best round counts,
 * as in bench/redis.ts: on a shared machine other work slows one round or
 * another. A full run waits for a quiet machine before each round (RabbitMQ
 * goes on flushing and deleting the last round's stream after it) and runs
 * five rounds: on this 2-core machine either side's rate still ranges about
 * 15% either way from round to round. Every round's figures are printed too.
 *
 * Alone: node --import tsx bench/rabbitmq.ts [--quick]
 */
import { randomUUID } from 'node:crypto';
import { type ChannelModel, connect } from 'amqplib';
import { RabbitMqTransport, removePrefix } from '../src/adapters/brokers/rabbitmq/index.ts';
import { RabbitMqNames } from '../src/adapters/brokers/rabbitmq/rabbitmq-names.ts';
import { createBroker } from '../src/core/create-broker.ts';
import type { Envelope } from '../src/core/envelope.ts';
import { consumeAll } from './consume.ts';
import {
  collectGarbage,
  type Ratio,
  ratio,
  runCallers,
  settleMachine,
  type Throughput,
  throughput,
} from './measurement.ts';
import { benchEvents, type OrderData } from './workload.ts';

export const RABBITMQ_URL =
  process.env.EVENTYARD_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface RabbitMqBenchRun {
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
  readonly callers: number;
  /** Time cap of each publish measurement. */
  readonly seconds: number;
  /** Raw `prefetch` and eventyard's `maxInFlight`. Default 1000. */
  readonly prefetch?: number;
  /** Measured rounds per side, alternating which side goes first. Default 5. */
  readonly rounds?: number;
  /**
   * Wait before each round until the machine is quiet (settleMachine). For
   * full runs: alongside a loaded machine (tests) it would wait its minute.
   */
  readonly settle?: boolean;
}

export interface RabbitMqBenchResult {
  readonly throughputs: Throughput[];
  readonly ratios: Ratio[];
  /** Every measured round, both sides, in the order they ran. */
  readonly rounds: Throughput[];
  readonly notes: string[];
}

interface RoundResult {
  readonly published: { completed: number; elapsedMs: number };
  readonly consumeMs: number;
}

/** One side of the comparison: warmed up once, then measured round after round. */
interface Side {
  readonly name: string;
  warm(): Promise<void>;
  /** Publishes the run's events to a fresh stream named after `name`, then consumes them. */
  round(name: string): Promise<RoundResult>;
  close(): Promise<void>;
}

/**
 * Published untimed into each new stream before a measured publish, on both
 * sides: creating a stream (and for eventyard listing it as a topic) is
 * once per topic, not part of the publish rate. Consumers count it.
 */
const opening = benchEvents(1)[0]!;

// --- eventyard ---------------------------------------------------------

async function eventyardSide(
  model: ChannelModel,
  run: RabbitMqBenchRun,
  prefix: string,
): Promise<Side> {
  const prefetch = run.prefetch ?? 1000;
  const broker = createBroker(new RabbitMqTransport(RABBITMQ_URL, { prefix }));
  await broker.ready();
  const names = new RabbitMqNames(prefix);
  const admin = await model.createChannel();
  const publish = (topic: string, events: readonly Envelope[], seconds: number) =>
    runCallers(run.callers, events.length, seconds, (i) => broker.publish(topic, events[i]!));
  return {
    name: 'eventyard',
    async warm() {
      const warm = await publish('warmup', run.warmup, 60);
      await consumeAll(broker, 'warmup', warm.completed, prefetch);
    },
    async round(name) {
      try {
        await broker.publish(name, opening);
        const published = await publish(name, run.events, run.seconds);
        const consumeMs = await consumeAll(broker, name, published.completed + 1, prefetch);
        return { published, consumeMs };
      } finally {
        // As the raw side does: a stream left behind makes RabbitMQ work for the next round.
        await admin.deleteQueue(names.topic(name));
      }
    },
    async close() {
      await broker.close();
      await admin.close().catch(() => {});
    },
  };
}

// --- raw amqplib -------------------------------------------------------

async function rawConsume(
  model: ChannelModel,
  queue: string,
  count: number,
  prefetch: number,
): Promise<number> {
  const channel = await model.createChannel();
  await channel.prefetch(prefetch);
  let handled = 0;
  let total = 0;
  collectGarbage();
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    channel
      .consume(
        queue,
        (message) => {
          if (!message) return;
          const event = JSON.parse(message.content.toString('utf8')) as Envelope<OrderData>;
          channel.ack(message);
          total += event.data.amountCents;
          if (++handled === count) resolve();
        },
        { arguments: { 'x-stream-offset': 'first' } },
      )
      .catch(reject);
  });
  const elapsedMs = performance.now() - started;
  await channel.close();
  if (total <= 0) throw new Error('raw consume handled no data');
  return elapsedMs;
}

async function rawSide(model: ChannelModel, run: RabbitMqBenchRun, prefix: string): Promise<Side> {
  const prefetch = run.prefetch ?? 1000;
  const admin = await model.createChannel();
  const confirms = await model.createConfirmChannel();
  const publishOne = (queue: string, event: Envelope) =>
    new Promise<void>((resolve, reject) => {
      confirms.sendToQueue(
        queue,
        Buffer.from(JSON.stringify(event)),
        { persistent: true, contentType: 'application/cloudevents+json' },
        (error) => (error ? reject(error) : resolve()),
      );
    });
  const pass = async (name: string, events: readonly Envelope[], seconds: number) => {
    const queue = `${prefix}-raw-${name}`;
    await admin.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'stream' } });
    try {
      await publishOne(queue, opening);
      const published = await runCallers(run.callers, events.length, seconds, (i) =>
        publishOne(queue, events[i]!),
      );
      const consumeMs = await rawConsume(model, queue, published.completed + 1, prefetch);
      return { published, consumeMs };
    } finally {
      await admin.deleteQueue(queue);
    }
  };
  return {
    name: 'raw',
    async warm() {
      await pass('warmup', run.warmup, 60);
    },
    round: (name) => pass(name, run.events, run.seconds),
    async close() {
      await confirms.close().catch(() => {});
      await admin.close().catch(() => {});
    },
  };
}

// --- comparison --------------------------------------------------------

const publishRate = (x: RoundResult) => x.published.completed / x.published.elapsedMs;
const consumeRate = (x: RoundResult) => x.published.completed / x.consumeMs;

/** The round with the highest rate of `pick`. */
function best(rounds: readonly RoundResult[], pick: (r: RoundResult) => number): RoundResult {
  return rounds.reduce((a, b) => (pick(b) > pick(a) ? b : a));
}

/** Undefined when nothing answers at RABBITMQ_URL. */
export async function measureRabbitMqAdapter(
  run: RabbitMqBenchRun,
): Promise<RabbitMqBenchResult | undefined> {
  const model = await connect(RABBITMQ_URL).catch(() => undefined);
  if (!model) return undefined;
  const prefetch = run.prefetch ?? 1000;
  const prefix = `eybench-${randomUUID().slice(0, 8)}`;
  const sides: Side[] = [];
  try {
    const ey = await eventyardSide(model, run, prefix);
    sides.push(ey);
    const raw = await rawSide(model, run, prefix);
    sides.push(raw);
    await ey.warm();
    await raw.warm();
    const results = new Map<Side, RoundResult[]>([
      [ey, []],
      [raw, []],
    ]);
    const rounds: Throughput[] = [];
    for (let r = 0; r < (run.rounds ?? 5); r++) {
      for (const side of r % 2 === 0 ? [ey, raw] : [raw, ey]) {
        if (run.settle) await settleMachine();
        const result = await side.round(`orders-${r}`);
        results.get(side)!.push(result);
        const { completed, elapsedMs } = result.published;
        rounds.push(throughput(`round ${r + 1} ${side.name} publish`, completed, elapsedMs));
        rounds.push(throughput(`round ${r + 1} ${side.name} consume`, completed, result.consumeMs));
      }
    }
    const pick = (side: Side, rate: (x: RoundResult) => number) => best(results.get(side)!, rate);
    const eyPub = pick(ey, publishRate).published;
    const rawPub = pick(raw, publishRate).published;
    const eyCon = pick(ey, consumeRate);
    const rawCon = pick(raw, consumeRate);
    const ours = {
      publish: throughput(
        `eventyard publish on rabbitmq, ${run.callers} callers`,
        eyPub.completed,
        eyPub.elapsedMs,
      ),
      consume: throughput(
        `eventyard consume on rabbitmq, maxInFlight ${prefetch}`,
        eyCon.published.completed,
        eyCon.consumeMs,
      ),
    };
    const theirs = {
      publish: throughput(
        `raw amqplib publish, ${run.callers} callers, stream queue (confirm each)`,
        rawPub.completed,
        rawPub.elapsedMs,
      ),
      consume: throughput(
        `raw amqplib consume, stream queue, prefetch ${prefetch}, ack each`,
        rawCon.published.completed,
        rawCon.consumeMs,
      ),
    };
    return {
      throughputs: [ours.publish, theirs.publish, ours.consume, theirs.consume],
      ratios: [
        ratio('eventyard-rabbitmq/raw-amqplib publish', ours.publish, theirs.publish, 0.9),
        ratio('eventyard-rabbitmq/raw-amqplib consume', ours.consume, theirs.consume, 0.9),
      ],
      rounds,
      notes: [
        `best of ${run.rounds ?? 5} alternating rounds per side, each into a fresh stream${run.settle ? ', each after the machine settled' : ''}`,
        "eventyard's publish resolves on the confirm without offsets (publishOffsets: false), like raw AMQP",
      ],
    };
  } finally {
    for (const side of sides) await side.close();
    await removePrefix(RABBITMQ_URL, { prefix });
    await model.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const result = await measureRabbitMqAdapter({
    events: benchEvents(Number(process.env.EVENTS ?? (quick ? 5_000 : 50_000))),
    warmup: benchEvents(2_000),
    callers: quick ? 32 : 256,
    seconds: quick ? 1 : 4,
    rounds: quick ? 1 : 5,
    settle: !quick,
  });
  if (!result) console.log(`rabbitmq not reachable at ${RABBITMQ_URL}`);
  const line = (t: Throughput) =>
    `${t.name}: ${Math.round(t.eventsPerSecond)} events/s (${t.events} in ${t.seconds.toFixed(2)} s)`;
  for (const t of result?.rounds ?? []) console.log(line(t));
  console.log('best round per side:');
  for (const t of result?.throughputs ?? []) console.log(line(t));
  for (const r of result?.ratios ?? []) console.log(`${r.name}: ${r.value.toFixed(2)}x`);
  for (const note of result?.notes ?? []) console.log(`note: ${note}`);
}

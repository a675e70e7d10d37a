/**
 * The NATS JetStream adapter against the raw client, in one run: the same
 * 1 KiB envelopes published by the same number of concurrent callers, each
 * awaiting its PubAck (file storage), then consumed by one group with an
 * explicit ack per event. The raw side is bench/jetstream.ts (a durable pull
 * consumer, `consume()`); eventyard's side is the broker over
 * `NatsTransport`, with the subscription's `maxInFlight` equal to the raw
 * consumer's `max_messages`.
 *
 * Alone: node --import tsx bench/nats.ts
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsTransport } from '../src/adapters/brokers/nats/index.ts';
import type { Broker } from '../src/core/broker.ts';
import { createBroker } from '../src/core/create-broker.ts';
import type { Envelope } from '../src/core/envelope.ts';
import { consumeAll } from './consume.ts';
import { connectNats, measureJetStream, NATS_URL } from './jetstream.ts';
import { type Ratio, ratio, runCallers, type Throughput, throughput } from './measurement.ts';
import { benchEvents } from './workload.ts';

export interface NatsBenchRun {
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
  readonly callers: number;
  readonly seconds: number;
  /** Raw `max_messages` and eventyard's `maxInFlight`. Default 1000. */
  readonly pullBatch?: number;
  /** Measured rounds per side, alternating which side goes first. Default 3. */
  readonly rounds?: number;
}

export interface NatsBenchResult {
  readonly throughputs: Throughput[];
  readonly ratios: Ratio[];
}

async function publishAll(
  broker: Broker,
  topic: string,
  run: NatsBenchRun,
  events: readonly Envelope[],
  seconds: number,
): Promise<{ completed: number; elapsedMs: number }> {
  return runCallers(run.callers, events.length, seconds, (i) => broker.publish(topic, events[i]!));
}

interface RoundResult {
  readonly publish: Throughput;
  readonly consume: Throughput;
}

/** The round with the highest rate of `pick`. */
function best(rounds: readonly RoundResult[], pick: (r: RoundResult) => Throughput): Throughput {
  return rounds.map(pick).reduce((a, b) => (b.eventsPerSecond > a.eventsPerSecond ? b : a));
}

/**
 * Both sides in alternating rounds (eventyard first, then raw first, ...),
 * each side's best publish and best consume kept: on a shared machine other
 * work slows one round or another, and alternating gives both sides the
 * same chances. Undefined when nothing answers at NATS_URL.
 */
export async function measureNatsAdapter(run: NatsBenchRun): Promise<NatsBenchResult | undefined> {
  const nc = await connectNats();
  if (!nc) return undefined;
  const pullBatch = run.pullBatch ?? 1000;
  const rounds = run.rounds ?? 3;
  const prefix = `eybench-${randomUUID().slice(0, 8)}`;
  const broker = createBroker(new NatsTransport(`${NATS_URL}?prefix=${prefix}`));
  try {
    await broker.ready();
    await publishAll(broker, 'warmup', run, run.warmup, 60);
    await consumeAll(broker, 'warmup', run.warmup.length, pullBatch);
    const ours = async (r: number): Promise<RoundResult> => {
      const published = await publishAll(broker, `orders-${r}`, run, run.events, run.seconds);
      const consumeMs = await consumeAll(broker, `orders-${r}`, published.completed, pullBatch);
      return {
        publish: throughput(
          `eventyard publish on nats, ${run.callers} callers`,
          published.completed,
          published.elapsedMs,
        ),
        consume: throughput(
          `eventyard consume on nats, maxInFlight ${pullBatch}`,
          published.completed,
          consumeMs,
        ),
      };
    };
    const raw = (): Promise<RoundResult> => measureJetStream(nc, { ...run, pullBatch });
    const results: { ours: RoundResult[]; raw: RoundResult[] } = { ours: [], raw: [] };
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        results.ours.push(await ours(r));
        results.raw.push(await raw());
      } else {
        results.raw.push(await raw());
        results.ours.push(await ours(r));
      }
    }
    const publish = {
      ours: best(results.ours, (x) => x.publish),
      raw: best(results.raw, (x) => x.publish),
    };
    const consume = {
      ours: best(results.ours, (x) => x.consume),
      raw: best(results.raw, (x) => x.consume),
    };
    return {
      throughputs: [publish.ours, publish.raw, consume.ours, consume.raw],
      ratios: [
        ratio('eventyard-nats/raw-JetStream publish', publish.ours, publish.raw, 0.9),
        ratio('eventyard-nats/raw-JetStream consume', consume.ours, consume.raw, 0.9),
      ],
    };
  } finally {
    await broker.close();
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names(`${prefix}.>`)) await jsm.streams.delete(name);
    await nc.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureNatsAdapter({
    events: benchEvents(Number(process.env.EVENTS ?? 50_000)),
    warmup: benchEvents(2_000),
    callers: 256,
    seconds: 4,
    rounds: Number(process.env.ROUNDS ?? 3),
  });
  if (!result) console.log(`nats not reachable at ${NATS_URL}`);
  for (const t of result?.throughputs ?? []) {
    console.log(
      `${t.name}: ${Math.round(t.eventsPerSecond)} events/s (${t.events} in ${t.seconds.toFixed(2)} s)`,
    );
  }
  for (const r of result?.ratios ?? []) console.log(`${r.name}: ${r.value.toFixed(2)}x`);
}

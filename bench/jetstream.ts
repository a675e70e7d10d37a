/**
 * The same work with the raw NATS JetStream client (NATS.js v3): the same
 * 1 KiB envelopes published by many concurrent callers, each awaiting
 * `js.publish` (it resolves on the PubAck, once the server has stored the
 * message), then consumed with a durable pull consumer, `consume()`, one
 * explicit ack per message. The stream is file-backed, named per run and
 * deleted at the end.
 */
import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Envelope } from '../src/core/envelope.ts';
import { collectGarbage, runCallers, type Throughput, throughput } from './measurement.ts';
import type { OrderData } from './workload.ts';

export const NATS_URL = 'nats://127.0.0.1:4222';

export interface JetStreamRun {
  readonly callers: number;
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
  readonly seconds: number;
  /** Messages the pull consumer keeps buffered (its `max_messages`). */
  readonly pullBatch: number;
}

export interface JetStreamResult {
  readonly publish: Throughput;
  readonly consume: Throughput;
}

/** The open connection, or undefined when nothing answers at NATS_URL. */
export async function connectNats(): Promise<NatsConnection | undefined> {
  try {
    return await connect({ servers: NATS_URL, timeout: 2_000, maxReconnectAttempts: 0 });
  } catch {
    return undefined;
  }
}

async function publishAll(
  js: JetStreamClient,
  subject: string,
  run: JetStreamRun,
  events: readonly Envelope[],
  seconds: number,
): Promise<{ completed: number; elapsedMs: number }> {
  return runCallers(run.callers, events.length, seconds, (i) =>
    js.publish(subject, JSON.stringify(events[i])),
  );
}

/** Consumes `count` messages of `subject` with a new durable pull consumer; returns elapsed ms. */
async function consumeAll(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  subject: string,
  count: number,
  pullBatch: number,
): Promise<number> {
  const durable = `bench-${randomUUID().slice(0, 8)}`;
  collectGarbage();
  const started = performance.now();
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    filter_subject: subject,
  });
  const consumer = await js.consumers.get(stream, durable);
  const messages = await consumer.consume({ max_messages: pullBatch });
  let handled = 0;
  let total = 0;
  for await (const message of messages) {
    total += message.json<Envelope<OrderData>>().data.amountCents;
    message.ack();
    if (++handled === count) break;
  }
  const elapsedMs = performance.now() - started;
  await messages.close();
  if (handled !== count || total <= 0) throw new Error(`jetstream consumed ${handled} of ${count}`);
  return elapsedMs;
}

export async function measureJetStream(
  nc: NatsConnection,
  run: JetStreamRun,
): Promise<JetStreamResult> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const id = randomUUID().slice(0, 8);
  const stream = `EYBENCH_${id}`;
  const base = `eybench.${id}`;
  await jsm.streams.add({ name: stream, subjects: [`${base}.>`], storage: StorageType.File });
  try {
    await publishAll(js, `${base}.warmup`, run, run.warmup, 60);
    await consumeAll(js, jsm, stream, `${base}.warmup`, run.warmup.length, run.pullBatch);
    const published = await publishAll(js, `${base}.orders`, run, run.events, run.seconds);
    const consumeMs = await consumeAll(
      js,
      jsm,
      stream,
      `${base}.orders`,
      published.completed,
      run.pullBatch,
    );
    return {
      publish: throughput(
        `raw JetStream publish, ${run.callers} callers, file storage (PubAck)`,
        published.completed,
        published.elapsedMs,
      ),
      consume: throughput(
        `raw JetStream consume, durable pull, max_messages ${run.pullBatch}, ack each`,
        published.completed,
        consumeMs,
      ),
    };
  } finally {
    await jsm.streams.delete(stream);
  }
}

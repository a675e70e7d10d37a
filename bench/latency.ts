/**
 * End-to-end latency on the embedded log: a timer loop publishes at a
 * steady rate, one subscriber handles the events; latency is the handler's
 * start time minus the time taken just before publish, carried in the
 * event's data (one process, one performance.now() clock).
 */
import { join } from 'node:path';
import type { Broker } from '../src/core/broker.ts';
import { openEmbeddedBroker } from './embedded-publish.ts';
import { type Latency, percentile } from './measurement.ts';
import { benchEvent, type OrderData } from './workload.ts';

export interface LatencyRun {
  readonly dir: string;
  /** Events per second. */
  readonly rate: number;
  /** Seconds sampled, after a warm-up of a quarter of that. */
  readonly seconds: number;
}

const TOPIC = 'bench-latency';
/** Longest wait for the last events after publishing stops, ms. */
const DRAIN_TIMEOUT_MS = 30_000;

/** Publishes `total` events at `rate`/s from a 1 ms timer; resolves when every publish has resolved. */
function publishSteadily(broker: Broker, rate: number, total: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const publishes: Promise<unknown>[] = [];
    const started = performance.now();
    let sent = 0;
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
      while (sent < due) {
        const sentAt = performance.now();
        publishes.push(broker.publish(TOPIC, benchEvent(sent++, sentAt)));
      }
      if (sent >= total) {
        clearInterval(timer);
        Promise.all(publishes).then(() => resolve(), reject);
      }
    }, 1);
  });
}

export async function measureLatency(run: LatencyRun): Promise<Latency> {
  const broker = openEmbeddedBroker(join(run.dir, 'latency.db'), 'default');
  const warmup = Math.ceil((run.rate * run.seconds) / 4);
  const total = warmup + Math.ceil(run.rate * run.seconds);
  const samples: number[] = [];
  let handled = 0;
  let allHandled!: () => void;
  const finished = new Promise<void>((resolve) => {
    allHandled = resolve;
  });
  try {
    const subscription = await broker.subscribe<OrderData>({
      topic: TOPIC,
      group: 'bench-latency',
      handler: (event) => {
        const latency = performance.now() - event.data.sentAt;
        if (event.data.index >= warmup) samples.push(latency);
        if (++handled === total) allHandled();
      },
    });
    await publishSteadily(broker, run.rate, total);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error('latency: events not handled in time')),
        DRAIN_TIMEOUT_MS,
      ).unref(),
    );
    await Promise.race([finished, timeout]);
    await subscription.close();
  } finally {
    await broker.close();
  }
  return {
    name: `eventyard publish -> handler, ${run.rate.toLocaleString('en-US')} events/s, one subscriber`,
    events: samples.length,
    rate: run.rate,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples.reduce((max, sample) => Math.max(max, sample), 0),
  };
}

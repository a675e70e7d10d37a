/**
 * Consume throughput through the eventyard Broker: a topic pre-filled with
 * N events, one group subscribed with a trivial handler that reads
 * `event.data`; timed from `subscribe` until the N-th event is handled.
 */
import { join } from 'node:path';
import type { Broker } from '../src/core/broker.ts';
import type { Envelope } from '../src/core/envelope.ts';
import { openEmbeddedBroker } from './embedded-publish.ts';
import { collectGarbage, type Throughput, throughput } from './measurement.ts';
import type { OrderData } from './workload.ts';

export interface ConsumeRun {
  readonly dir: string;
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
}

const FILL_BATCH = 1000;

async function fill(broker: Broker, topic: string, events: readonly Envelope[]): Promise<void> {
  for (let i = 0; i < events.length; i += FILL_BATCH) {
    await broker.publish(topic, events.slice(i, i + FILL_BATCH));
  }
}

/** Subscribes `group` to `topic` and resolves with the elapsed ms once `count` events are handled. */
export async function consumeAll(
  broker: Broker,
  topic: string,
  count: number,
  /** The subscription's `maxInFlight`; default the policy's. */
  maxInFlight?: number,
): Promise<number> {
  let handled = 0;
  let total = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  collectGarbage();
  const started = performance.now();
  const subscription = await broker.subscribe<OrderData>({
    topic,
    group: 'bench-consumer',
    ...(maxInFlight === undefined ? {} : { policy: { maxInFlight } }),
    handler: (event) => {
      total += event.data.amountCents;
      if (++handled === count) done();
    },
  });
  await finished;
  const elapsedMs = performance.now() - started;
  await subscription.close();
  if (total <= 0) throw new Error(`consume of ${topic} handled no data`);
  return elapsedMs;
}

export async function measureEmbeddedConsume(run: ConsumeRun): Promise<Throughput> {
  const broker = openEmbeddedBroker(join(run.dir, 'consume.db'), 'default');
  try {
    await fill(broker, 'bench-consume-warmup', run.warmup);
    await consumeAll(broker, 'bench-consume-warmup', run.warmup.length);
    await fill(broker, 'bench-consume', run.events);
    const elapsedMs = await consumeAll(broker, 'bench-consume', run.events.length);
    return throughput('eventyard consume, one group, default policy', run.events.length, elapsedMs);
  } finally {
    await broker.close();
  }
}

/**
 * Durable publish through the eventyard Broker on the embedded SQLite log:
 * each caller awaits its own `broker.publish` of one event; concurrent
 * publishes are batched by the log's group commit, not by the callers.
 */
import { join } from 'node:path';
import { SqliteLog } from '../src/adapters/brokers/embedded/sqlite-log.ts';
import type { Broker } from '../src/core/broker.ts';
import { createBroker } from '../src/core/create-broker.ts';
import type { Envelope } from '../src/core/envelope.ts';
import { type Durability, survives } from './durability.ts';
import { runCallers, type Throughput, throughput } from './measurement.ts';

export interface PublishRun {
  /** Fresh directory for the database file. */
  readonly dir: string;
  readonly durability: Durability;
  /** Concurrent callers, each awaiting one publish at a time. */
  readonly callers: number;
  /** The events to publish, in order; the run publishes at most all of them. */
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
  /** Time cap, seconds. */
  readonly seconds: number;
}

export const PUBLISH_TOPIC = 'bench-orders';

export function openEmbeddedBroker(path: string, durability: Durability): Broker {
  return createBroker(new SqliteLog({ path, fsync: durability === 'fsync' }));
}

export async function measureEmbeddedPublish(run: PublishRun): Promise<Throughput> {
  const path = join(run.dir, `publish-${run.durability}-${run.callers}.db`);
  const broker = openEmbeddedBroker(path, run.durability);
  try {
    // Warm-up on the same topic: creates its table and lets the JIT settle.
    await runCallers(run.callers, run.warmup.length, 60, (i) =>
      broker.publish(PUBLISH_TOPIC, run.warmup[i]!),
    );
    const { completed, elapsedMs } = await runCallers(
      run.callers,
      run.events.length,
      run.seconds,
      (i) => broker.publish(PUBLISH_TOPIC, run.events[i]!),
    );
    const who = run.callers === 1 ? 'one caller' : `${run.callers} callers`;
    return throughput(
      `eventyard publish, ${who}, ${run.durability} (survives ${survives(run.durability)})`,
      completed,
      elapsedMs,
    );
  } finally {
    await broker.close();
  }
}

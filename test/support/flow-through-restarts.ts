/**
 * The engine-fault scenario every server broker runs: publishers and a
 * group consumer work without pause while the test restarts the engine;
 * afterwards every publish that resolved must have been consumed (what the
 * engine acknowledged is never lost), and publishing must have resumed by
 * itself. Publishes refused during the outage are allowed: their callers
 * were told.
 */
import assert from 'node:assert/strict';
import type { Broker } from '../../src/core/broker.ts';
import { createEvent } from '../../src/core/envelope.ts';
import { delay, waitFor } from './wait.ts';

export interface FlowOptions {
  readonly broker: Broker;
  /** Stops the engine and starts it again (kill -9, or stop_app/start_app). */
  restart(): Promise<void>;
  readonly restarts?: number;
  readonly publishers?: number;
  /** Events consumed between restarts, and published after each one. Default 200 and 300. */
  readonly flowingBefore?: number;
  readonly publishedAfter?: number;
  /** Engine trouble the transport reported, for the failure message. */
  readonly errors: readonly Error[];
}

export interface FlowResult {
  readonly resolved: number;
  readonly resolvedAtLastRestart: number;
  readonly refused: number;
  readonly consumed: number;
}

export async function flowThroughRestarts(options: FlowOptions): Promise<FlowResult> {
  const { broker, errors } = options;
  const consumed = new Set<number>();
  const subscription = await broker.subscribe<{ n: number }>({
    topic: 'orders',
    group: 'billing',
    policy: { concurrency: 8 },
    handler: (event) => {
      consumed.add(event.data.n);
    },
  });
  const resolved = new Set<number>();
  let refused = 0;
  let next = 0;
  let running = true;
  const publisher = async () => {
    while (running) {
      const n = next++;
      const event = createEvent({ type: 'order.placed', data: { n }, key: `customer-${n % 7}` });
      try {
        await broker.publish('orders', [event]);
        resolved.add(n);
      } catch {
        refused++; // refused during the outage: the caller knows, nothing is promised
        await delay(50);
      }
    }
  };
  const publishing = Promise.all(Array.from({ length: options.publishers ?? 4 }, publisher));
  let resolvedAtLastRestart = 0;
  try {
    for (let round = 0; round < (options.restarts ?? 1); round++) {
      const before = consumed.size;
      await waitFor(
        'events flowing',
        () => consumed.size >= before + (options.flowingBefore ?? 200),
        20_000,
      );
      resolvedAtLastRestart = resolved.size;
      await options.restart();
      await waitFor(
        'publishing again',
        () => resolved.size >= resolvedAtLastRestart + (options.publishedAfter ?? 300),
        30_000,
      );
    }
  } finally {
    running = false;
    await publishing;
  }
  const missing = () => [...resolved].filter((n) => !consumed.has(n));
  await waitFor('every resolved publish consumed', () => missing().length === 0, 30_000, 50).catch(
    (error: Error) => {
      throw new Error(
        `${error.message}: ${missing().length} of ${resolved.size} missing (${missing().slice(0, 10).join(', ')}...), ${resolvedAtLastRestart} resolved at the last restart; errors: ${errors.map((e) => e.message).join('; ')}`,
      );
    },
  );
  await subscription.close();
  assert.ok(resolved.size > resolvedAtLastRestart, 'publishes resolved after the restart');
  const result = {
    resolved: resolved.size,
    resolvedAtLastRestart,
    refused,
    consumed: consumed.size,
  };
  console.log(
    `restart: ${result.resolved} publishes resolved (${result.resolvedAtLastRestart} before the last restart), ${result.refused} refused during the outage, ${result.consumed} consumed`,
  );
  return result;
}

/**
 * How a subscription treats its deliveries. Every field has a default that
 * suits a typical handler; `resolvePolicy` fills them in and refuses bad
 * values once, when the subscription starts.
 */
import { type Backoff, exponentialBackoff } from './backoff.ts';
import { ValidationError } from './errors.ts';

export interface DeliveryPolicy {
  /**
   * Tries in all, the first included, before the event is dead-lettered.
   * A `PermanentError` dead-letters at once. Default 5.
   */
  readonly attempts?: number;
  /** Delay before each retry. Default exponential from 100 ms up to 30 s, jittered. */
  readonly backoff?: Backoff;
  /** One try's time limit; a try that exceeds it counts as failed. Default 30 s. */
  readonly timeoutMs?: number;
  /**
   * Handlers running at once in this member. Events with the same partition
   * key still run one after another, in order. Default 1.
   */
  readonly concurrency?: number;
  /**
   * Deliveries taken from the engine and not yet settled, running or
   * waiting for their key. Default max(64, 16 × concurrency).
   */
  readonly maxInFlight?: number;
}

export type ResolvedPolicy = Required<DeliveryPolicy>;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ValidationError(`policy.${name} must be a positive integer, got ${value}`, {
      path: `policy.${name}`,
    });
  }
  return value;
}

export function resolvePolicy(policy: DeliveryPolicy = {}): ResolvedPolicy {
  const concurrency = positiveInteger('concurrency', policy.concurrency, 1);
  return {
    attempts: positiveInteger('attempts', policy.attempts, 5),
    backoff: policy.backoff ?? exponentialBackoff(),
    timeoutMs: positiveInteger('timeoutMs', policy.timeoutMs, 30_000),
    concurrency,
    maxInFlight: Math.max(
      concurrency,
      positiveInteger('maxInFlight', policy.maxInFlight, Math.max(64, 16 * concurrency)),
    ),
  };
}

/**
 * Tries a delivery until it succeeds, it fails permanently, or its policy's
 * attempts are spent. Retries happen in-process, holding the event's key, so
 * later events with the same key wait and order is kept. Each failed try is
 * recorded on the delivery before the backoff, so a restart resumes counting
 * and the attempt limit holds exactly.
 */
import type { Delivery } from '../delivery.ts';
import { PermanentError } from '../errors.ts';
import type { ResolvedPolicy } from '../policy.ts';
import { sleep } from '../sleep.ts';

export type RetryOutcome =
  | { readonly kind: 'done'; readonly attempt: number }
  /** Attempts spent or a permanent failure: the event goes to the dead-letter topic. */
  | { readonly kind: 'give-up'; readonly attempt: number; readonly error: unknown }
  /** The subscription is closing during a backoff: hand the event back. */
  | { readonly kind: 'stopped'; readonly attempt: number };

export interface RetryHooks {
  /** Called after a failed try that will be retried. */
  readonly retrying?: (
    attempt: number,
    error: unknown,
    delayMs: number,
    delivery: Delivery,
  ) => void;
}

/** One try of `delivery`. It is passed in, so one function serves every delivery. */
export type TryOnce = (attempt: number, delivery: Delivery) => void | Promise<void>;

const NO_HOOKS: RetryHooks = {};

/**
 * The outcome, synchronously when the first try is synchronous and
 * succeeds (the common case, which then costs no promise), else a promise.
 */
export function retry(
  delivery: Delivery,
  policy: ResolvedPolicy,
  tryOnce: TryOnce,
  stopping: AbortSignal,
  hooks: RetryHooks = NO_HOOKS,
): RetryOutcome | Promise<RetryOutcome> {
  const attempt = delivery.attempt;
  if (attempt > policy.attempts) {
    return {
      kind: 'give-up',
      attempt: attempt - 1,
      error: new PermanentError(`attempts spent (${policy.attempts}) before a restart`),
    };
  }
  let first: void | Promise<void>;
  try {
    first = tryOnce(attempt, delivery);
  } catch (error) {
    return retryAfter(delivery, policy, tryOnce, stopping, hooks, attempt, error);
  }
  if (first === undefined) return { kind: 'done', attempt };
  return first.then(
    (): RetryOutcome => ({ kind: 'done', attempt }),
    (error: unknown) => retryAfter(delivery, policy, tryOnce, stopping, hooks, attempt, error),
  );
}

/** Goes on after try number `failed` failed with `error`. */
async function retryAfter(
  delivery: Delivery,
  policy: ResolvedPolicy,
  tryOnce: TryOnce,
  stopping: AbortSignal,
  hooks: RetryHooks,
  failed: number,
  error: unknown,
): Promise<RetryOutcome> {
  let attempt = failed;
  let failure = error;
  for (;;) {
    if (failure instanceof PermanentError || attempt >= policy.attempts) {
      return { kind: 'give-up', attempt, error: failure };
    }
    await delivery.recordFailure(attempt);
    const delayMs = policy.backoff(attempt);
    hooks.retrying?.(attempt, failure, delayMs, delivery);
    const slept = await sleepWhileWorking(delivery, delayMs, stopping);
    if (!slept) return { kind: 'stopped', attempt: attempt + 1 };
    attempt++;
    try {
      await tryOnce(attempt, delivery);
      return { kind: 'done', attempt };
    } catch (next) {
      failure = next;
    }
  }
}

/** Sleeps, telling the engine now and then that the delivery is still being worked on. */
async function sleepWhileWorking(
  delivery: Delivery,
  delayMs: number,
  stopping: AbortSignal,
): Promise<boolean> {
  const step = 5_000;
  let left = delayMs;
  while (left > step) {
    if (!(await sleep(step, stopping))) return false;
    delivery.working();
    left -= step;
  }
  return sleep(left, stopping);
}

/**
 * Backoff strategies: pure functions from the number of the attempt that
 * just failed (1 for the first) to the delay before the next one, in ms.
 */
export type Backoff = (failedAttempt: number) => number;

export interface ExponentialBackoffOptions {
  /** Delay after the first failure. Default 100 ms. */
  readonly initialMs?: number;
  /** Growth per further failure. Default 2. */
  readonly factor?: number;
  /** Upper bound of any delay. Default 30 s. */
  readonly maxMs?: number;
  /**
   * Spread delays over [delay/2, delay] so that many consumers failing at
   * once do not retry in lockstep. Default true.
   */
  readonly jitter?: boolean;
  /** Source of randomness for the jitter, in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export function exponentialBackoff(options: ExponentialBackoffOptions = {}): Backoff {
  const {
    initialMs = 100,
    factor = 2,
    maxMs = 30_000,
    jitter = true,
    random = Math.random,
  } = options;
  return (failedAttempt) => {
    const delay = Math.min(maxMs, initialMs * factor ** Math.max(0, failedAttempt - 1));
    return jitter ? Math.round(delay / 2 + (random() * delay) / 2) : delay;
  };
}

export function fixedBackoff(delayMs: number): Backoff {
  return () => delayMs;
}

export const noBackoff: Backoff = () => 0;

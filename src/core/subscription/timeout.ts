/**
 * Limits one try to `timeoutMs`. A try that runs past it fails with
 * `TimeoutError` and its signal aborts; JavaScript cannot stop the
 * handler's own promise, so a handler doing long work should watch the signal.
 *
 * Arming a setTimeout per try costs more than a typical handler (see
 * bench/), so a synchronous handler gets no timer (nothing can interrupt it
 * anyway) and asynchronous ones share one coarse timer: a try fails within
 * TICK_MS after its limit.
 */
import { TimeoutError } from '../errors.ts';

const TICK_MS = 10;

/**
 * The try's abort signal, made only when a handler asks for it: most never
 * do, and an AbortController per event is a measurable cost.
 */
export class TrySignal {
  #controller: AbortController | undefined;
  #reason: unknown;

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.#reason !== undefined && !this.#controller.signal.aborted) {
      this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

interface Deadline {
  readonly at: number;
  readonly expire: () => void;
}

/** Every pending deadline of this process, checked by one timer. */
const deadlines = new Set<Deadline>();
let ticker: NodeJS.Timeout | undefined;

function watch(deadline: Deadline): void {
  deadlines.add(deadline);
  if (ticker) return;
  ticker = setInterval(() => {
    const now = performance.now();
    for (const entry of deadlines) {
      if (entry.at > now) continue;
      deadlines.delete(entry);
      entry.expire();
    }
    if (deadlines.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }, TICK_MS);
}

export function withTimeout(
  timeoutMs: number,
  work: (signal: TrySignal) => void | Promise<void>,
): Promise<void> {
  const trySignal = new TrySignal();
  try {
    return limitTry(timeoutMs, trySignal, work(trySignal)) ?? Promise.resolve();
  } catch (error) {
    return Promise.reject(error ?? new Error('handler threw undefined'));
  }
}

/**
 * `withTimeout` for the delivery hot path, given what the try returned (the
 * caller runs it, so no closure is made per try): undefined when it
 * returned synchronously, so it costs no promise; for asynchronous work, a
 * promise that fails with `TimeoutError` past the limit, aborting `trySignal`.
 */
export function limitTry(
  timeoutMs: number,
  trySignal: TrySignal,
  result: void | Promise<void>,
): undefined | Promise<void> {
  if (!(result instanceof Promise)) return undefined;
  const pending = result;
  return new Promise<void>((resolve, reject) => {
    const deadline: Deadline = {
      at: performance.now() + timeoutMs,
      expire: () => {
        const error = new TimeoutError(`handler took longer than ${timeoutMs} ms`);
        trySignal.abort(error);
        reject(error);
      },
    };
    watch(deadline);
    pending.then(
      () => {
        deadlines.delete(deadline);
        resolve();
      },
      (error: unknown) => {
        deadlines.delete(deadline);
        reject(error ?? new Error('handler rejected with undefined'));
      },
    );
  });
}

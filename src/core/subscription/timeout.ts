/**
 * Limits one try to `timeoutMs`. A try that runs past it fails with
 * `TimeoutError` and its signal aborts; JavaScript cannot stop the
 * handler's own promise, so a handler doing long work should watch the signal.
 */
import { TimeoutError } from '../errors.ts';

/**
 * The try's abort signal, made only when a handler asks for it: most never
 * do, and an AbortController per event is a measurable cost (see bench/).
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

export function withTimeout(
  timeoutMs: number,
  work: (signal: TrySignal) => void | Promise<void>,
): Promise<void> {
  const trySignal = new TrySignal();
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new TimeoutError(`handler took longer than ${timeoutMs} ms`);
      trySignal.abort(error);
      reject(error);
    }, timeoutMs);
    const done = (error?: unknown) => {
      clearTimeout(timer);
      if (error === undefined) resolve();
      else reject(error);
    };
    let result: void | Promise<void>;
    try {
      result = work(trySignal);
    } catch (error) {
      done(error ?? new Error('handler threw undefined'));
      return;
    }
    if (result instanceof Promise) {
      result.then(
        () => done(),
        (error: unknown) => done(error ?? new Error('handler rejected with undefined')),
      );
    } else {
      done();
    }
  });
}

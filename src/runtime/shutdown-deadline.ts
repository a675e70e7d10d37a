import { TimeoutError } from '../core/errors.ts';

/**
 * Runs one step of a shutdown, failing with a TimeoutError once `deadline`
 * (epoch ms) passes. The step itself cannot be cancelled; the caller stops
 * waiting for it and leaves its work to be redelivered.
 */
export async function closeWithin(
  deadline: number,
  timeoutMs: number,
  what: string,
  step: () => Promise<unknown>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TimeoutError(
            `shutdown took longer than EVENTYARD_SHUTDOWN_TIMEOUT_MS=${timeoutMs} waiting for ${what}; unacknowledged events will be redelivered`,
            { path: 'EVENTYARD_SHUTDOWN_TIMEOUT_MS' },
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    await Promise.race([step(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

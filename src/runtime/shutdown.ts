/**
 * Graceful shutdown on SIGTERM (containers, systemd) and SIGINT (Ctrl-C):
 * the first signal drains the host and exits 0 (1 if draining failed or
 * ran out of time); a second signal exits at once with 1, leaving running
 * events unacknowledged, to be redelivered.
 */
import type { Logger } from '../observability/logger.ts';
import type { Host } from './host.ts';

export interface SignalHandlerOptions {
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Ends the process. Default `process.exit`. */
  readonly exit?: (code: number) => void;
}

/** Installs the handlers; returns a function that removes them. */
export function installSignalHandlers(
  host: Pick<Host, 'close'>,
  logger: Logger,
  options: SignalHandlerOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      logger.warn({ signal }, 'second signal: exiting now; unfinished events will be redelivered');
      exit(1);
      return;
    }
    draining = true;
    logger.info({ signal }, `${signal}: shutting down gracefully (send it again to exit at once)`);
    host.close().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'graceful shutdown failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}

/**
 * JSON logs on stdout (12-factor: the platform collects them). One pino
 * logger per process; components take children with their own fields.
 */
import { hostname } from 'node:os';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/**
 * The process logger at `EVENTYARD_LOG_LEVEL`. `destination` is for tests;
 * the default is stdout. Levels are written as names ("warn"), not
 * numbers, so logs read without a lookup table.
 */
export function createLogger(
  // Structural, so observability needs nothing from runtime: a Config fits.
  config: { readonly EVENTYARD_LOG_LEVEL: string },
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.EVENTYARD_LOG_LEVEL,
    // `name`, not `service`: apps' service loggers carry `service` themselves.
    name: 'eventyard',
    base: { pid: process.pid, hostname: hostname() },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

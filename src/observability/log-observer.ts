/**
 * Logs what the broker reports that an operator must see: retries (warn),
 * dead letters and failures outside handlers (error). Successful deliveries
 * are not logged: at thousands per second they would drown everything else
 * (metrics count them). Retries and dead letters name their event.
 */

import type { Envelope } from '../core/envelope.ts';
import { describeError } from '../core/errors.ts';
import type { BrokerObserver } from '../core/observer.ts';
import type { Logger } from './logger.ts';
import { traceFieldsOf } from './trace-fields.ts';

export class LogObserver implements BrokerObserver {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  retried(
    topic: string,
    group: string,
    attempt: number,
    error: unknown,
    delayMs: number,
    event: Envelope,
  ): void {
    this.#logger.warn(
      {
        topic,
        group,
        attempt,
        retryInMs: Math.round(delayMs),
        ...traceFieldsOf(event),
        err: error,
      },
      `handler failed, retrying: ${describeError(error)}`,
    );
  }

  deadLettered(topic: string, group: string, reason: string, event: Envelope): void {
    this.#logger.error(
      { topic, group, reason, ...traceFieldsOf(event) },
      `event dead-lettered: ${reason}`,
    );
  }

  failed(message: string, error: unknown, facts: Record<string, unknown> = {}): void {
    this.#logger.error({ ...facts, err: error }, message);
  }
}

import type { Envelope } from './envelope.ts';

/**
 * What the broker reports as it works, for metrics and logs
 * (observability/ implements it with prom-client and pino). Every method is
 * optional and must not throw.
 */
export interface BrokerObserver {
  published?(topic: string, count: number): void;
  /** One try of a handler ended. */
  tried?(topic: string, group: string, ok: boolean, seconds: number, error?: unknown): void;
  /** A delivery was acknowledged after its handler succeeded. */
  consumed?(topic: string, group: string): void;
  retried?(
    topic: string,
    group: string,
    attempt: number,
    error: unknown,
    delayMs: number,
    event: Envelope,
  ): void;
  deadLettered?(topic: string, group: string, reason: string, event: Envelope): void;
  /** Something went wrong outside any handler (engine trouble, a dead-letter publish). */
  failed?(message: string, error: unknown, facts?: Record<string, unknown>): void;
}

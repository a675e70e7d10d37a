/**
 * One delivery of one event to one group member. Settling is explicit and
 * happens once: the first of ack, nack and term wins, later calls do
 * nothing (idempotent and exclusive, as in nats.js' JsMsg).
 */
import type { Envelope } from './envelope.ts';

export interface Delivery {
  readonly topic: string;
  readonly group: string;
  readonly offset: number;
  readonly partition: number;
  readonly event: Envelope;
  /**
   * Which try this is, 1 for the first. Counts tries recorded by
   * `recordFailure` and redeliveries the engine knows of, so a policy's
   * attempt limit holds across restarts.
   */
  readonly attempt: number;
  /** Done with: the engine may forget it for this group. */
  ack(): void;
  /** Give it back: redeliver after `delayMs` (default at once). */
  nack(delayMs?: number): void;
  /** Never redeliver (the caller has already dead-lettered it). */
  term(reason: string): void;
  /** Still working on it: extend the engine's redelivery deadline. */
  working(): void;
  /** Persist that try number `attempt` failed, before it is retried in-process. */
  recordFailure(attempt: number): Promise<void>;
  readonly settled: boolean;
}

export type Settlement =
  | { kind: 'ack' }
  | { kind: 'nack'; delayMs: number }
  | { kind: 'term'; reason: string };

/** One for every ack: a settlement is only read. */
const ACK: Settlement = Object.freeze({ kind: 'ack' });

/**
 * The settle-once rule, shared by every adapter: subclasses implement
 * `settle`, which runs at most once per delivery.
 */
export abstract class BaseDelivery implements Delivery {
  abstract readonly topic: string;
  abstract readonly group: string;
  abstract readonly offset: number;
  abstract readonly partition: number;
  abstract readonly event: Envelope;
  abstract readonly attempt: number;
  #settled = false;

  get settled(): boolean {
    return this.#settled;
  }

  ack(): void {
    this.#settleOnce(ACK);
  }

  nack(delayMs = 0): void {
    this.#settleOnce({ kind: 'nack', delayMs: Math.max(0, delayMs) });
  }

  term(reason: string): void {
    this.#settleOnce({ kind: 'term', reason });
  }

  working(): void {}

  async recordFailure(_attempt: number): Promise<void> {}

  protected abstract settle(settlement: Settlement): void;

  #settleOnce(settlement: Settlement): void {
    if (this.#settled) return;
    this.#settled = true;
    this.settle(settlement);
  }
}

/**
 * Pulls one durable consumer (a group's partition, or its unkeyed subject)
 * with `fetch`, asking for no more than the member's budget allows, so a
 * member never holds more unsettled deliveries than `maxInFlight` (held
 * plus asked for and not received). A new pull waits for half the reader's
 * share to be free (unless nothing is held), so a slow handler gets few
 * large pulls rather than many of one message.
 *
 * A partition is pulled one fetch at a time: nats-server hands the messages
 * of a consumer to its waiting pulls in turn, so a second open pull would
 * get every other message, and the partition's order would break (a
 * member's partitions are pulled side by side, which keeps the server busy
 * while one of them waits). The unkeyed subject has no order to keep: its
 * next pull opens while the last one is still being delivered, so the
 * server's time to the first message of a pull (a few ms from its file
 * store) overlaps the handling of the last one.
 *
 * A fetch is let run out (at most `FETCH_EXPIRES_MS`) rather than cut: a
 * pull cut short leaves messages the server sent on their way, which would
 * come back only after `ack_wait`, behind newer ones. What is given back
 * once the reader is stopping (arrivals after the stop, and nacks) is held
 * until its last fetch has run out and then nak'd in stream order: a nak
 * while the pull is open would send the message straight back into it, and
 * the partition's next holder would get the returns out of order.
 */
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { sleep } from '../../../core/sleep.ts';
import type { BudgetShare } from './in-flight-budget.ts';

export const FETCH_EXPIRES_MS = 1_000;

/** Fetches open at once on a consumer whose messages have no order to keep. */
const UNORDERED_FETCHES = 2;

export interface ConsumerReaderOptions {
  readonly js: JetStreamClient;
  readonly stream: string;
  readonly consumer: string;
  /** Its messages must be delivered in stream order (a partition): one fetch at a time. */
  readonly ordered: boolean;
  /** This reader's part of the member's `maxInFlight`. */
  readonly share: BudgetShare;
  /** Hands a message on; false when it was not taken (the member stopped). */
  readonly take: (message: JsMsg, reader: ConsumerReader) => boolean | Promise<boolean>;
  readonly onError: (error: Error) => void;
  /** A pull ran out short of what it asked for: the budget has room again for every reader. */
  readonly onRoom: () => void;
  /** Wait this long before the first fetch (messages a dead holder left must come back first). */
  readonly holdOffMs?: number;
}

export class ConsumerReader {
  readonly #o: ConsumerReaderOptions;
  /** Delivered, not yet settled. */
  readonly held = new Set<JsMsg>();
  readonly #stopping = new AbortController();
  #returns: JsMsg[] | undefined = [];
  #consumer: Consumer | undefined;
  #wake: (() => void) | undefined;
  /** Fetches open now. */
  #open = 0;
  /** Fetches in a row that failed; the next waits longer. */
  #failures = 0;
  #idle: Array<() => void> = [];
  readonly done: Promise<void>;

  constructor(options: ConsumerReaderOptions) {
    this.#o = options;
    this.done = this.#loop();
  }

  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** Fetches nothing more; `done` resolves once the running fetch has run out. */
  stop(): void {
    this.#stopping.abort();
    this.#wake?.();
  }

  /** A held message was settled. */
  settled(message: JsMsg): void {
    if (this.held.delete(message)) this.#o.share.held--;
    this.nudge();
    if (this.held.size === 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Gives a message back: at once, or once the last fetch has run out if stopping. */
  giveBack(message: JsMsg, delayMs = 0): void {
    if (this.stopping && this.#returns) this.#returns.push(message);
    else message.nak(delayMs);
  }

  /** Resolves when nothing is held. */
  idle(): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** The budget grew: fetch again if the reader was waiting for room. */
  nudge(): void {
    this.#wake?.();
  }

  /** Tells the server every held message is still being worked on. */
  keepAlive(): void {
    for (const message of this.held) message.working();
  }

  async #loop(): Promise<void> {
    const signal = this.#stopping.signal;
    if (this.#o.holdOffMs) await sleep(this.#o.holdOffMs, signal);
    const open = new Set<Promise<void>>();
    while (!signal.aborted) {
      // After a failure, one fetch at a time until one succeeds.
      const most = this.#o.ordered || this.#failures > 0 ? 1 : UNORDERED_FETCHES;
      const want = this.#open < most ? this.#want() : 0;
      if (want <= 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      this.#open++;
      const fetching = this.#fetch(want).then(
        () => {
          this.#failures = 0;
        },
        (error: Error) => this.#failed(error, signal),
      );
      open.add(fetching);
      void fetching.finally(() => {
        open.delete(fetching);
        this.#open--;
        this.nudge();
      });
    }
    await Promise.all(open);
    const returns = this.#returns ?? [];
    this.#returns = undefined;
    for (const message of returns.sort((a, b) => a.seq - b.seq)) message.nak();
  }

  async #failed(error: Error, signal: AbortSignal): Promise<void> {
    this.#o.onError(error);
    this.#consumer = undefined;
    this.#failures++;
    await sleep(Math.min(100 * 2 ** this.#failures, 2_000), signal);
  }

  /** How many to ask for now: 0 until half the share is free, or nothing is held. */
  #want(): number {
    const share = this.#o.share;
    const want = share.want();
    return this.held.size > 0 && want * 2 < share.own() ? 0 : want;
  }

  async #fetch(want: number): Promise<void> {
    const share = this.#o.share;
    share.asked += want;
    let received = 0;
    try {
      this.#consumer ??= await this.#o.js.consumers.get(this.#o.stream, this.#o.consumer);
      const messages = await this.#consumer.fetch({
        max_messages: want,
        expires: FETCH_EXPIRES_MS,
      });
      for await (const message of messages) {
        received++;
        share.asked--;
        if (this.stopping) {
          this.giveBack(message);
          continue;
        }
        this.held.add(message);
        share.held++;
        const taken = this.#o.take(message, this);
        if (!(taken === true || (taken !== false && (await taken)))) {
          this.held.delete(message);
          share.held--;
          this.giveBack(message);
        }
      }
    } finally {
      share.busy = received > 0 || this.held.size > 0;
      if (received < want) {
        share.asked -= want - received;
        this.#o.onRoom();
      }
    }
  }
}

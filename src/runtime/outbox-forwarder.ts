/**
 * The outbox forwarder: publishes the events that units of work committed to
 * a store's outbox table (stores other than the embedded one, whose outbox
 * is the log itself) to the broker, in order, at least once.
 *
 * Why it cannot skip a row. A bigserial id is taken when a row is inserted,
 * not when its transaction commits: a transaction holding id 10 can commit
 * after id 11 is visible. A reader that keeps a "last id forwarded"
 * watermark reads 11, moves past 10 and never sees it. This forwarder keeps
 * no watermark: the outbox is a queue. Each round reads the lowest ids
 * still in the table, publishes them, and only then deletes them by id. The
 * only way out of the outbox is that delete, after the row's own publish
 * resolved (the broker made it durable), so a row that commits late is
 * simply found by the next round: with ids 10 and 11 above, 11 goes first
 * and 10 next (commit order; nothing skipped).
 *
 * Order: one forwarder leads at a time (the source's lease: on PostgreSQL a
 * session advisory lock, released by the server when the holder dies), and
 * it publishes rows in id order, one publish after the other. Rows of one
 * transaction keep their emit order; a transaction that began after another
 * committed has higher ids, so causally ordered events of a key keep their
 * order. Concurrent transactions go in id order when both are visible, else
 * in commit order.
 *
 * At least once: a crash after a publish and before its delete publishes the
 * rows again from the next leader. Duplicates carry the same event id, and a
 * handler's unit of work records the id in its inbox, so handlers stay
 * effectively-once. Since every leader publishes in id order, the first copy
 * of each event still arrives in order.
 *
 * Wake-up: the source's `wait` returns on a commit notice (PostgreSQL
 * LISTEN/NOTIFY) and polls every `pollMs` in case a notice was missed.
 * Delayed rows are published at once with `deliverAt` when the broker can
 * delay; otherwise they stay in the outbox until due.
 */
import type { Broker } from '../core/broker.ts';
import type { Envelope } from '../core/envelope.ts';
import { describeError, EventyardError } from '../core/errors.ts';
import { sleep } from '../core/sleep.ts';

/** A committed row of an outbox. */
export interface OutboxRow {
  /** Position in the outbox: rows are forwarded in ascending id. */
  readonly id: number;
  readonly topic: string;
  readonly event: Envelope;
  /** Epoch ms before which no group may see the event; absent for at once. */
  readonly deliverAt?: number;
}

export interface OutboxBatch {
  /** The lowest-id rows in the outbox, ascending. */
  readonly rows: readonly OutboxRow[];
  /** With `dueBy`: the earliest `deliverAt` of the rows held back, if any. */
  readonly nextDueAt?: number;
}

export interface OutboxLag {
  /** Rows waiting to be forwarded now. */
  readonly waiting: number;
  /** Rows held until their `deliverAt` (only on brokers without delayed delivery). */
  readonly delayed: number;
  /** Age of the oldest waiting row (since it was due), ms; 0 when none waits. */
  readonly oldestMs: number;
}

/**
 * The right to forward an outbox: while a lease is held no other forwarder
 * of the same outbox holds one. Operations throw once it is lost (the
 * connection behind it died); the forwarder then releases it and leads again.
 */
export interface OutboxLease {
  /**
   * The lowest-id committed rows, ascending, at most `limit`. With `dueBy`
   * (epoch ms), only rows without `deliverAt` or due by then.
   */
  fetch(limit: number, options?: { readonly dueBy?: number }): Promise<OutboxBatch>;
  /** Deletes rows that were published. Throws (deleting nothing) if the lease is lost. */
  remove(ids: readonly number[]): Promise<void>;
  /** Moves rows the broker refuses for good aside, with the reason, so the rest can flow. */
  reject(ids: readonly number[], reason: string): Promise<void>;
  /** Resolves when rows may have committed since the last fetch, after `timeoutMs`, or on abort. */
  wait(timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Gives up the lease. Idempotent, never throws. */
  release(): Promise<void>;
}

/** A store's outbox, as the forwarder sees it. Implemented by adapters/db (PostgreSQL). */
export interface OutboxSource {
  /**
   * Resolves with the lease once no other forwarder holds it, waiting as
   * long as needed; rejects with an `AbortError` when `signal` aborts.
   */
  lead(signal: AbortSignal): Promise<OutboxLease>;
  /** What is waiting, for metrics. `now` is epoch ms. */
  lag(now?: number): Promise<OutboxLag>;
}

export interface OutboxForwarderOptions {
  readonly source: OutboxSource;
  readonly broker: Broker;
  /** Rows read and published per round. Default 500. */
  readonly batchSize?: number;
  /** Longest wait for new rows without a commit notice, ms. Default 1000. */
  readonly pollMs?: number;
  /** First pause after a failure, ms; doubles up to `maxRetryMs`. Default 200. */
  readonly retryMs?: number;
  /** Longest pause after failures, ms. Default 10 000. */
  readonly maxRetryMs?: number;
  /** Failures being recovered from (broker or store down, rows refused). Default none. */
  readonly onError?: (error: Error) => void;
  /** Rows published and deleted, after each round. Default none. */
  readonly onForwarded?: (count: number) => void;
}

/** Error codes of a broker refusing an event for good (bad shape, too large). */
const REFUSED = new Set(['EY_VALIDATION', 'EY_TOO_LARGE']);

type Run = { topic: string; deliverAt: number | undefined; rows: OutboxRow[] };

export class OutboxForwarder {
  readonly #source: OutboxSource;
  readonly #broker: Broker;
  readonly #batchSize: number;
  readonly #pollMs: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #onError: (error: Error) => void;
  readonly #onForwarded: (count: number) => void;
  readonly #stop = new AbortController();
  #running: Promise<void> | undefined;
  #leading = false;
  #forwarded = 0;

  constructor(options: OutboxForwarderOptions) {
    this.#source = options.source;
    this.#broker = options.broker;
    this.#batchSize = options.batchSize ?? 500;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#retryMs = options.retryMs ?? 200;
    this.#maxRetryMs = options.maxRetryMs ?? 10_000;
    this.#onError = options.onError ?? (() => {});
    this.#onForwarded = options.onForwarded ?? (() => {});
  }

  /** Whether this forwarder holds the lease now. */
  get leading(): boolean {
    return this.#leading;
  }

  /** Rows this forwarder published and deleted since it started. */
  get forwarded(): number {
    return this.#forwarded;
  }

  /** Starts leading (or waiting to lead) in the background. Idempotent. */
  start(): this {
    if (!this.#running && !this.#stop.signal.aborted) this.#running = this.#run();
    return this;
  }

  lag(): Promise<OutboxLag> {
    return this.#source.lag(Date.now());
  }

  /** Finishes the round in progress (publish and delete), then gives up the lease. */
  async close(): Promise<void> {
    this.#stop.abort();
    await this.#running;
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    let failures = 0;
    while (!signal.aborted) {
      let lease: OutboxLease;
      try {
        lease = await this.#source.lead(signal);
      } catch (error) {
        if (signal.aborted) break;
        this.#report('cannot take the outbox lease', error);
        await this.#pause(failures++);
        continue;
      }
      this.#leading = true;
      try {
        await this.#forwardWhileLeading(lease, () => {
          failures = 0;
        });
      } catch (error) {
        this.#report('outbox forwarding failed; leading again after a pause', error);
      } finally {
        this.#leading = false;
        await lease.release();
      }
      if (!signal.aborted) await this.#pause(failures++);
    }
  }

  async #forwardWhileLeading(lease: OutboxLease, succeeded: () => void): Promise<void> {
    const signal = this.#stop.signal;
    const delays = this.#broker.capabilities.delayedDelivery;
    while (!signal.aborted) {
      const now = Date.now();
      const batch = await lease.fetch(this.#batchSize, delays ? {} : { dueBy: now });
      if (batch.rows.length === 0) {
        const untilDue = batch.nextDueAt === undefined ? this.#pollMs : batch.nextDueAt - now;
        await lease.wait(Math.max(1, Math.min(this.#pollMs, untilDue)), signal);
        continue;
      }
      await this.#forward(lease, batch.rows);
      succeeded();
    }
  }

  /** Publishes runs of rows in id order, then deletes them; on a failure deletes what went out. */
  async #forward(lease: OutboxLease, rows: readonly OutboxRow[]): Promise<void> {
    const published: number[] = [];
    try {
      for (const run of runsOf(rows, Date.now())) {
        await this.#publishRun(lease, run);
        for (const row of run.rows) published.push(row.id);
      }
    } catch (error) {
      if (published.length > 0) await lease.remove(published).catch(() => {});
      throw error;
    }
    await lease.remove(published);
    this.#forwarded += published.length;
    this.#onForwarded(published.length);
  }

  async #publishRun(lease: OutboxLease, run: Run): Promise<void> {
    const options = run.deliverAt === undefined ? {} : { deliverAt: run.deliverAt };
    try {
      await this.#broker.publish(
        run.topic,
        run.rows.map((row) => row.event),
        options,
      );
    } catch (error) {
      if (!refusedForGood(error)) throw error;
      // One event of the run is refused: find which, one at a time, keeping order.
      for (const row of run.rows) {
        try {
          await this.#broker.publish(run.topic, row.event, options);
        } catch (single) {
          if (!refusedForGood(single)) throw single;
          const reason = describeError(single);
          await lease.reject([row.id], reason);
          this.#report(`outbox row ${row.id} refused by the broker; moved aside`, single);
        }
      }
    }
  }

  #pause(failures: number): Promise<void> {
    const ms = Math.min(this.#maxRetryMs, this.#retryMs * 2 ** Math.min(failures, 16));
    return sleep(ms, this.#stop.signal).then(() => {});
  }

  #report(message: string, error: unknown): void {
    const wrapped = new Error(`${message}: ${describeError(error)}`, { cause: error });
    try {
      this.#onError(wrapped);
    } catch {
      // An observer must not stop the forwarder.
    }
  }
}

function refusedForGood(error: unknown): boolean {
  return error instanceof EventyardError && REFUSED.has(error.code);
}

/**
 * Splits rows (ascending id) into consecutive runs of one topic and one
 * delivery time, so each run is one publish and order across runs holds.
 */
function runsOf(rows: readonly OutboxRow[], now: number): Run[] {
  const runs: Run[] = [];
  for (const row of rows) {
    const deliverAt =
      row.deliverAt !== undefined && row.deliverAt > now ? row.deliverAt : undefined;
    const last = runs.at(-1);
    if (last && last.topic === row.topic && last.deliverAt === deliverAt) last.rows.push(row);
    else runs.push({ topic: row.topic, deliverAt, rows: [row] });
  }
  return runs;
}

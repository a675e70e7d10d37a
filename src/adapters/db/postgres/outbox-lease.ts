/**
 * The lease of the one forwarder of a PostgreSQL outbox: a connection of its
 * own that holds a session advisory lock (the server drops it when the
 * holder's connection ends, kill -9 included) and LISTENs for the NOTIFY
 * units of work send on commit. Deletes run on that connection, so a delete
 * that succeeds proves the lock was still held.
 */
import pg from 'pg';
import type { Envelope } from '../../../core/envelope.ts';
import { EngineError } from '../../../core/errors.ts';
import { sleep } from '../../../core/sleep.ts';

export interface LeaseSettings {
  readonly config: pg.ClientConfig;
  readonly address: string;
  /** Names the lock; one per schema. */
  readonly lockName: string;
  readonly channel: string;
  /** How often a waiting forwarder tries the lock, ms. */
  readonly retryMs: number;
}

/** Same shape as the runtime's OutboxRow/OutboxBatch (adapters do not import the runtime). */
export interface LeasedRow {
  readonly id: number;
  readonly topic: string;
  readonly event: Envelope;
  readonly deliverAt?: number;
}

type RawRow = { id: string; topic: string; body: string; deliver_at: string | null };

export class PostgresOutboxLease {
  readonly #client: pg.Client;
  readonly #address: string;
  #lost: Error | undefined;
  #noticed = false;
  #wake: (() => void) | undefined;
  #released = false;

  private constructor(client: pg.Client, address: string) {
    this.#client = client;
    this.#address = address;
    client.on('notification', () => this.#notice());
    client.on('error', (error) => this.#lose(error));
    client.on('end', () => this.#lose(new Error('connection ended')));
  }

  /** Connects and waits until the lock is free (or `signal` aborts). */
  static async acquire(settings: LeaseSettings, signal: AbortSignal): Promise<PostgresOutboxLease> {
    const client = new pg.Client(settings.config);
    const lease = new PostgresOutboxLease(client, settings.address);
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(settings.channel)}`);
      for (;;) {
        signal.throwIfAborted();
        const { rows } = await client.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
          [settings.lockName],
        );
        if (rows[0]?.locked) return lease;
        lease.#check();
        await sleep(settings.retryMs, signal);
      }
    } catch (error) {
      await lease.release();
      if (signal.aborted) throw signal.reason;
      throw new EngineError(`cannot lead the outbox at ${settings.address}`, { cause: error });
    }
  }

  async fetch(
    limit: number,
    options: { readonly dueBy?: number } = {},
  ): Promise<{ rows: LeasedRow[]; nextDueAt?: number }> {
    this.#check();
    this.#noticed = false;
    const dueBy = options.dueBy;
    const { rows } =
      dueBy === undefined
        ? await this.#client.query<RawRow>(
            'SELECT id, topic, body, deliver_at FROM ey_outbox ORDER BY id LIMIT $1',
            [limit],
          )
        : await this.#client.query<RawRow>(
            `SELECT id, topic, body, deliver_at FROM ey_outbox
             WHERE deliver_at IS NULL OR deliver_at <= $2 ORDER BY id LIMIT $1`,
            [limit, dueBy],
          );
    const leased = await this.#parse(rows);
    if (dueBy === undefined || rows.length >= limit) return { rows: leased };
    const next = await this.#client.query<{ at: string | null }>(
      'SELECT min(deliver_at) AS at FROM ey_outbox WHERE deliver_at > $1',
      [dueBy],
    );
    const at = next.rows[0]?.at;
    return at == null ? { rows: leased } : { rows: leased, nextDueAt: Number(at) };
  }

  async remove(ids: readonly number[]): Promise<void> {
    this.#check();
    await this.#client.query('DELETE FROM ey_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  async reject(ids: readonly number[], reason: string): Promise<void> {
    this.#check();
    await this.#client.query(
      `WITH moved AS (DELETE FROM ey_outbox WHERE id = ANY($1::bigint[]) RETURNING *)
       INSERT INTO ey_outbox_rejected (id, topic, body, deliver_at, created_at, reason)
       SELECT id, topic, body, deliver_at, created_at, $2 FROM moved
       ON CONFLICT (id) DO NOTHING`,
      [ids, reason],
    );
  }

  async wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#noticed || this.#lost || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  /** Ends the connection, which releases the lock. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    this.#lost ??= new Error('lease released');
    this.#wake?.();
    await this.#client.end().catch(() => {});
  }

  /** Rows whose body is not JSON (written by hand?) are moved aside, not forwarded. */
  async #parse(rows: readonly RawRow[]): Promise<LeasedRow[]> {
    const leased: LeasedRow[] = [];
    for (const row of rows) {
      let event: Envelope;
      try {
        event = JSON.parse(row.body) as Envelope;
      } catch (error) {
        await this.reject([Number(row.id)], `body is not JSON: ${(error as Error).message}`);
        continue;
      }
      const base = { id: Number(row.id), topic: row.topic, event };
      leased.push(row.deliver_at === null ? base : { ...base, deliverAt: Number(row.deliver_at) });
    }
    return leased;
  }

  #notice(): void {
    this.#noticed = true;
    this.#wake?.();
  }

  #lose(error: Error): void {
    this.#lost ??= error;
    this.#wake?.();
  }

  #check(): void {
    if (this.#lost && !this.#released) {
      throw new EngineError(`outbox lease at ${this.#address} lost`, { cause: this.#lost });
    }
    if (this.#released) throw new EngineError('outbox lease released');
  }
}

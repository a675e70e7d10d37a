/**
 * The outbox of a PostgreSQL store as the forwarder's source
 * (runtime/outbox-forwarder.ts, `OutboxSource`): who may forward (a lease
 * per schema) and how much is waiting.
 */
import type pg from 'pg';
import { PostgresOutboxLease } from './outbox-lease.ts';

export interface PostgresOutboxSettings {
  readonly pool: pg.Pool;
  readonly config: pg.ClientConfig;
  readonly address: string;
  /** The schema the outbox lives in: names the lock and the NOTIFY channel. */
  readonly schema: string;
  /** How often a standby forwarder tries to take over, ms. */
  readonly leaseRetryMs: number;
}

export class PostgresOutbox {
  /** The NOTIFY channel units of work signal on commit. */
  readonly channel: string;
  readonly #settings: PostgresOutboxSettings;

  constructor(settings: PostgresOutboxSettings) {
    this.#settings = settings;
    // Channel names are identifiers: at most 63 bytes.
    this.channel = Buffer.from(`ey_outbox_${settings.schema}`).subarray(0, 63).toString();
  }

  lead(signal: AbortSignal): Promise<PostgresOutboxLease> {
    const { config, address, schema, leaseRetryMs } = this.#settings;
    return PostgresOutboxLease.acquire(
      {
        config,
        address,
        lockName: `eventyard.outbox.${schema}`,
        channel: this.channel,
        retryMs: leaseRetryMs,
      },
      signal,
    );
  }

  async lag(now = Date.now()): Promise<{ waiting: number; delayed: number; oldestMs: number }> {
    const { rows } = await this.#settings.pool.query<{
      waiting: string;
      delayed: string;
      oldest: number | null;
    }>(
      `SELECT
         count(*) FILTER (WHERE deliver_at IS NULL OR deliver_at <= $1) AS waiting,
         count(*) FILTER (WHERE deliver_at > $1) AS delayed,
         min(greatest(extract(epoch FROM created_at) * 1000, coalesce(deliver_at, 0)))
           FILTER (WHERE deliver_at IS NULL OR deliver_at <= $1)::float8 AS oldest
       FROM ey_outbox`,
      [now],
    );
    const row = rows[0];
    const oldest = row?.oldest ?? null;
    return {
      waiting: Number(row?.waiting ?? 0),
      delayed: Number(row?.delayed ?? 0),
      oldestMs: oldest === null ? 0 : Math.max(0, Math.round(now - oldest)),
    };
  }
}

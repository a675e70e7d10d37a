/**
 * App state in PostgreSQL through Kysely, with the unit of work: state
 * changes, the events it emits (rows of `ey_outbox`) and its inbox record
 * commit in one transaction. Emitted events reach the broker through the
 * outbox forwarder (runtime/outbox-forwarder.ts) fed by `store.outbox`;
 * run one forwarder per process that has a store, the lease makes one lead.
 */
import { Kysely, type Migration, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { EngineError } from '../../../core/errors.ts';
import type {
  InboxEntry,
  TransactionalStore,
  TransactionResult,
  UnitOfWork,
} from '../../../core/unit-of-work.ts';
import { migrateApp } from '../app-migrations.ts';
import { connectionSettings } from './connection-config.ts';
import { insertOutboxRows, type PendingRow, pendingRowsOf } from './outbox-rows.ts';
import { PostgresOutbox } from './postgres-outbox.ts';
import { ensureStoreSchema } from './store-schema.ts';

export interface PostgresStoreOptions {
  /**
   * Schema of the app tables and of eventyard's own (ey_*), created if
   * missing and set as each connection's search_path. Default: the URL's
   * `schema` parameter, else the server's search_path (usually public).
   */
  readonly schema?: string;
  /** Pooled connections at most. Default 10. */
  readonly poolSize?: number;
  /** How long a connection attempt may take, ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** How long inbox records are kept, i.e. the window for spotting redeliveries. Default 7 days. */
  readonly inboxRetentionMs?: number;
  /** NOTIFY the forwarder when a unit of work that emitted commits. Default true (else it polls). */
  readonly notify?: boolean;
  /** How often a standby forwarder tries to take over the outbox, ms. Default 1000. */
  readonly leaseRetryMs?: number;
  /** Errors of idle pooled connections (e.g. the server restarted). Default none. */
  readonly onError?: (error: Error) => void;
}

const DUPLICATE: TransactionResult<never> = Object.freeze({ duplicate: true });

/** Connects, creates eventyard's tables if needed and returns the store. */
export async function openPostgresStore<DB = unknown>(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore<DB>> {
  const settings = connectionSettings(url, options);
  const pool = new pg.Pool({ ...settings.config, max: options.poolSize ?? 10 });
  pool.on('error', (error) => options.onError?.(error));
  let schema: string;
  try {
    const client = await pool.connect();
    try {
      schema = await ensureStoreSchema(client, settings.schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    throw new EngineError(`cannot open the PostgreSQL store at ${settings.address}`, {
      cause: error,
    });
  }
  const outbox = new PostgresOutbox({
    pool,
    config: settings.config,
    address: settings.address,
    schema,
    leaseRetryMs: options.leaseRetryMs ?? 1_000,
  });
  return new PostgresStore<DB>(pool, outbox, { ...options, schema });
}

export class PostgresStore<DB = unknown> implements TransactionalStore<Transaction<DB>> {
  readonly db: Kysely<DB>;
  /** The outbox as a forwarder's source (`OutboxSource` of the runtime). */
  readonly outbox: PostgresOutbox;
  /** The schema the store's tables live in. */
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #retentionMs: number;
  readonly #channel: string | undefined;
  readonly #pruneTimer: NodeJS.Timeout;
  #closed = false;

  /** Use `openPostgresStore`, which creates the tables first. */
  constructor(
    pool: pg.Pool,
    outbox: PostgresOutbox,
    options: PostgresStoreOptions & { readonly schema: string },
  ) {
    this.#pool = pool;
    this.outbox = outbox;
    this.schema = options.schema;
    this.#retentionMs = options.inboxRetentionMs ?? 7 * 24 * 3_600_000;
    this.#channel = options.notify === false ? undefined : outbox.channel;
    this.db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    this.#pruneTimer = setInterval(() => {
      this.pruneInbox().catch((error: Error) => options.onError?.(error));
    }, 3_600_000);
    this.#pruneTimer.unref();
  }

  async transaction<R>(
    work: (uow: UnitOfWork<Transaction<DB>>) => Promise<R> | R,
    options: { readonly inbox?: InboxEntry } = {},
  ): Promise<TransactionResult<R>> {
    return this.db.transaction().execute(async (tx) => {
      const inbox = options.inbox;
      if (inbox) {
        const inserted = await sql`INSERT INTO ey_inbox (grp, event_id)
          VALUES (${inbox.group}, ${inbox.eventId}) ON CONFLICT DO NOTHING`.execute(tx);
        if (inserted.numAffectedRows === 0n) return DUPLICATE;
      }
      const emitted: PendingRow[] = [];
      const value = await work({
        tx,
        emit: (topic, events, opts) => emitted.push(...pendingRowsOf(topic, events, opts)),
      });
      if (emitted.length > 0) await insertOutboxRows(tx, emitted, this.#channel);
      return { duplicate: false as const, value };
    });
  }

  /** Applies an app's migrations (Kysely schema builder), tracked in `ey_migrations_<app>`. */
  migrate(app: string, migrations: Record<string, Migration>): Promise<void> {
    // The schema named: a store beside another one on the same database
    // would otherwise find the other's history and skip creating its own.
    return migrateApp(this.db as Kysely<unknown>, app, migrations, this.schema);
  }

  /** Deletes inbox records older than the retention; returns how many. */
  async pruneInbox(now = Date.now()): Promise<number> {
    if (this.#closed) return 0;
    const result = await this.#pool.query('DELETE FROM ey_inbox WHERE handled_at < $1', [
      new Date(now - this.#retentionMs),
    ]);
    return result.rowCount ?? 0;
  }

  /** Rejects with the server's error when the database does not answer. */
  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  /** Ends the pool; forwarders of this store's outbox must be closed first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#pruneTimer);
    await this.db.destroy();
  }
}

/**
 * App state in SQLite through Kysely, with the unit of work: state
 * changes, emitted events (through the outbox sink) and the inbox record
 * commit in one transaction. Kysely work shares the writer connection and
 * its lock with the log, so a unit of work holds the one writer while it
 * runs: keep it short, and do slow I/O (HTTP calls, image work) before it.
 */
import { Kysely, type Migration, type Transaction } from 'kysely';
import type { PublishOptions } from '../../../core/broker.ts';
import { type Envelope, validateEnvelope } from '../../../core/envelope.ts';
import { deliverAtOf } from '../../../core/publish-options.ts';
import { validateTopicName } from '../../../core/topic.ts';
import type {
  InboxEntry,
  TransactionalStore,
  TransactionResult,
  UnitOfWork,
} from '../../../core/unit-of-work.ts';
import { migrateApp } from '../app-migrations.ts';
import { LockedSqliteDialect } from './locked-sqlite-dialect.ts';
import type { OutboxSink } from './outbox-sink.ts';
import type { SqliteDatabase } from './sqlite-database.ts';

export interface SqliteStoreOptions {
  readonly database: SqliteDatabase;
  readonly outbox: OutboxSink;
  /** How long inbox records are kept, i.e. the window for spotting redeliveries. Default 7 days. */
  readonly inboxRetentionMs?: number;
}

const DUPLICATE: TransactionResult<never> = Object.freeze({ duplicate: true });

type Emitted = { topic: string; events: readonly Envelope[]; deliverAt?: number };

export class SqliteStore<DB = unknown> implements TransactionalStore<Transaction<DB>> {
  readonly db: Kysely<DB>;
  readonly #database: SqliteDatabase;
  readonly #outbox: OutboxSink;
  readonly #retentionMs: number;
  #pruneTimer: NodeJS.Timeout | undefined;

  constructor(options: SqliteStoreOptions) {
    this.#database = options.database;
    this.#outbox = options.outbox;
    this.#retentionMs = options.inboxRetentionMs ?? 7 * 24 * 3_600_000;
    this.#database.writer.exec(`CREATE TABLE IF NOT EXISTS ey_inbox (
      grp TEXT NOT NULL,
      event_id TEXT NOT NULL,
      handled_at INTEGER NOT NULL,
      PRIMARY KEY (grp, event_id)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS ey_inbox_age ON ey_inbox (handled_at);`);
    this.db = new Kysely<DB>({ dialect: new LockedSqliteDialect(this.#database) });
    this.#pruneTimer = setInterval(() => void this.pruneInbox(), 3_600_000);
    this.#pruneTimer.unref();
  }

  async transaction<R>(
    work: (uow: UnitOfWork<Transaction<DB>>) => Promise<R> | R,
    options: { readonly inbox?: InboxEntry } = {},
  ): Promise<TransactionResult<R>> {
    const writer = this.#database.writer;
    return this.db.transaction().execute(async (tx) => {
      const inbox = options.inbox;
      if (inbox) {
        const { changes } = writer
          .prepare('INSERT OR IGNORE INTO ey_inbox (grp, event_id, handled_at) VALUES (?, ?, ?)')
          .run(inbox.group, inbox.eventId, Date.now());
        if (changes === 0) return DUPLICATE;
      }
      const emitted: Emitted[] = [];
      const value = await work({
        tx,
        emit: (topic, events, opts) => emitted.push(collect(topic, events, opts)),
      });
      for (const batch of emitted) {
        this.#outbox.appendWithin(writer, batch.topic, batch.events, batch.deliverAt);
      }
      return { duplicate: false as const, value };
    });
  }

  /** Applies an app's migrations (Kysely schema builder, so they run on every SQL store). */
  migrate(app: string, migrations: Record<string, Migration>): Promise<void> {
    return migrateApp(this.db as Kysely<unknown>, app, migrations);
  }

  async pruneInbox(now = Date.now()): Promise<number> {
    if (this.#database.closed) return 0;
    return this.#database.writes.write(
      (db) =>
        db.prepare('DELETE FROM ey_inbox WHERE handled_at < ?').run(now - this.#retentionMs)
          .changes,
    );
  }

  async close(): Promise<void> {
    clearInterval(this.#pruneTimer);
  }
}

function collect(
  topic: string,
  events: Envelope | readonly Envelope[],
  options: PublishOptions = {},
): Emitted {
  validateTopicName(topic);
  const list = Array.isArray(events) ? (events as readonly Envelope[]) : [events as Envelope];
  for (const event of list) validateEnvelope(event);
  const at = deliverAtOf(options);
  return at === undefined ? { topic, events: list } : { topic, events: list, deliverAt: at };
}

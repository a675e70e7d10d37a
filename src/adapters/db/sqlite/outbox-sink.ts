import type BetterSqlite3 from 'better-sqlite3';
import type { Envelope } from '../../../core/envelope.ts';

/**
 * Where a SQLite unit of work puts the events it emits, inside its own
 * transaction. The embedded log is one (the log is in the same database, so
 * the outbox is the log itself); an outbox table drained by a forwarder to
 * another engine is another.
 */
export interface OutboxSink {
  /** Runs inside the transaction open on the writer connection `db`. */
  appendWithin(
    db: BetterSqlite3.Database,
    topic: string,
    events: readonly Envelope[],
    deliverAt?: number,
  ): void;
}

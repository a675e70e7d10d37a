/**
 * The store contract apps use for their state: SQL through Kysely (typed
 * queries, one dialect per engine) plus the unit of work of core. Kysely
 * types live here rather than in core, which imports no I/O library.
 * Implemented by the SQLite store (embedded) and, on scale-out, PostgreSQL.
 */
import type { Kysely, Migration, Transaction } from 'kysely';
import type { TransactionalStore } from '../core/unit-of-work.ts';

export interface AppStore<DB = unknown> extends TransactionalStore<Transaction<DB>> {
  /** Queries outside a unit of work (reads for HTTP routes, mostly). */
  readonly db: Kysely<DB>;
  /** Applies an app's migrations, tracked per app. Written with Kysely's schema builder. */
  migrate(app: string, migrations: Record<string, Migration>): Promise<void>;
  close(): Promise<void>;
}

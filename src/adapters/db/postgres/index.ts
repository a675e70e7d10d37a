/** The PostgreSQL store: app state, inbox and outbox (its forwarder is the runtime's). */

export type { PostgresOutboxLease } from './outbox-lease.ts';
export { PostgresOutbox } from './postgres-outbox.ts';
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from './postgres-store.ts';

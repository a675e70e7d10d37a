/**
 * The catalog's tables, on SQLite and PostgreSQL alike (Kysely's schema
 * builder):
 * - `catalog_events`: the event store, one stream per entity, each event at
 *   its version; (stream_id, version) is unique, which is what makes an
 *   append at a stale version fail.
 * - `catalog_commands`: each accepted request and its outcome.
 * - read models, built by the materializer and rebuilt from the event store
 *   at will: `catalog_snapshots` (every stream's folded state and version,
 *   deleted ones included, for the validator), `catalog_entries` and
 *   `catalog_assets` (the live entities, for the query API).
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { CommandStatus } from './names.ts';

export interface EventRow {
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  /** The domain event as JSON (`CatalogEvent`). */
  event: string;
  command_id: string;
  recorded_at: string;
}

export interface CommandRow {
  id: string;
  type: string;
  stream_id: string;
  entity_id: string;
  status: CommandStatus;
  /** The stream's version once the command's events are appended. */
  version: number | null;
  reason_code: string | null;
  reason_message: string | null;
  reason_field: string | null;
  created_at: string;
  decided_at: string | null;
}

export interface SnapshotRow {
  stream_id: string;
  version: number;
  /** The folded `EntityState` as JSON. */
  state: string;
}

export interface EntryRow {
  id: string;
  title: string;
  src: string;
  description: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface AssetRow {
  id: string;
  entry_id: string;
  title: string;
  src: string;
  description: string | null;
  content_type: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CatalogDb {
  catalog_events: EventRow;
  catalog_commands: CommandRow;
  catalog_snapshots: SnapshotRow;
  catalog_entries: EntryRow;
  catalog_assets: AssetRow;
}

export const READ_MODEL_TABLES = [
  'catalog_snapshots',
  'catalog_entries',
  'catalog_assets',
] as const;

export const catalogMigrations: Record<string, Migration> = {
  '001-catalog': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('catalog_events')
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('command_id', 'text', (c) => c.notNull())
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_events_stream', ['stream_id', 'version'])
        .execute();
      await db.schema
        .createTable('catalog_commands')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('stream_id', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('version', 'integer')
        .addColumn('reason_code', 'text')
        .addColumn('reason_message', 'text')
        .addColumn('reason_field', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .execute();
      await db.schema
        .createTable('catalog_snapshots')
        .addColumn('stream_id', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('catalog_entries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('src', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('catalog_assets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('entry_id', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('src', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('content_type', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('catalog_assets_entry')
        .on('catalog_assets')
        .columns(['entry_id', 'id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        'catalog_assets',
        'catalog_entries',
        'catalog_snapshots',
        'catalog_commands',
        'catalog_events',
      ]) {
        await sql`DROP TABLE ${sql.table(table)}`.execute(db);
      }
    },
  },
};

/**
 * The catalog's tables as the embedded database holds them, read straight
 * from the file (read-only) once the server has stopped.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  AssetRow,
  CommandRow,
  EntryRow,
  EventRow,
  SnapshotRow,
} from '../../../src/apps/catalog/schema.ts';
import { EMBEDDED_DATABASE } from '../../../src/runtime/embedded-engines.ts';

export interface ReadModels {
  readonly catalog_snapshots: SnapshotRow[];
  readonly catalog_entries: EntryRow[];
  readonly catalog_assets: AssetRow[];
}

export interface CatalogTables {
  readonly events: EventRow[];
  readonly commands: CommandRow[];
  readonly readModels: ReadModels;
}

export function readCatalog(dataDir: string): CatalogTables {
  const db = new Database(join(dataDir, EMBEDDED_DATABASE), { readonly: true });
  try {
    const all = <T>(sql: string) => db.prepare(sql).all() as T[];
    return {
      events: all<EventRow>('SELECT * FROM catalog_events ORDER BY stream_id, version'),
      commands: all<CommandRow>('SELECT * FROM catalog_commands ORDER BY id'),
      readModels: {
        catalog_snapshots: all<SnapshotRow>('SELECT * FROM catalog_snapshots ORDER BY stream_id'),
        catalog_entries: all<EntryRow>('SELECT * FROM catalog_entries ORDER BY id'),
        catalog_assets: all<AssetRow>('SELECT * FROM catalog_assets ORDER BY id'),
      },
    };
  } finally {
    db.close();
  }
}

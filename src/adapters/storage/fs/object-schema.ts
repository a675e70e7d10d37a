/**
 * The embedded object store's tables, in the same SQLite database as the
 * log, so an object's metadata row and its bucket notification commit in
 * one transaction. Keys are TEXT with SQLite's BINARY collation, which
 * compares UTF-8 bytes: the primary key's order is S3's listing order.
 */
import type BetterSqlite3 from 'better-sqlite3';

export function migrateObjectSchema(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ey_buckets (
      name TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ey_bucket_notifications (
      bucket TEXT PRIMARY KEY REFERENCES ey_buckets (name) ON DELETE CASCADE,
      rules TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ey_objects (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      blob TEXT NOT NULL,
      size INTEGER NOT NULL,
      etag TEXT NOT NULL,
      content_type TEXT NOT NULL,
      user_metadata TEXT NOT NULL,
      last_modified INTEGER NOT NULL,
      PRIMARY KEY (bucket, key)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX IF NOT EXISTS ey_objects_blob ON ey_objects (blob);
  `);
}

/**
 * The embedded log's tables. Each topic's events live in a table of their
 * own, `ey_log_<id>`, whose rowid is the offset: appends go to the end of
 * one B-tree and reads are rowid range scans, with no secondary index.
 * `ts` (append time, ms) never decreases along the offsets, so a time is
 * found by binary search.
 */
import type BetterSqlite3 from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

export function migrateLogSchema(db: BetterSqlite3.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ey_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ey_topics (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      partitions INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS ey_offsets (
      topic_id INTEGER NOT NULL,
      grp TEXT NOT NULL,
      position INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (topic_id, grp)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ey_leases (
      topic_id INTEGER NOT NULL,
      grp TEXT NOT NULL,
      owner TEXT NOT NULL,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL,
      expires_at INTEGER NOT NULL,
      PRIMARY KEY (topic_id, grp)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ey_attempts (
      topic_id INTEGER NOT NULL,
      grp TEXT NOT NULL,
      seq INTEGER NOT NULL,
      failed INTEGER NOT NULL,
      PRIMARY KEY (topic_id, grp, seq)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ey_scheduled (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      topic_id INTEGER NOT NULL,
      deliver_at INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ey_scheduled_due ON ey_scheduled (deliver_at, id);
    CREATE TABLE IF NOT EXISTS ey_counters (
      topic_id INTEGER NOT NULL,
      grp TEXT NOT NULL,
      minute INTEGER NOT NULL,
      count INTEGER NOT NULL,
      PRIMARY KEY (topic_id, grp, minute)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO ey_meta (key, value) VALUES ('schema_version', '${SCHEMA_VERSION}');
  `);
}

export function logTableOf(topicId: number): string {
  return `ey_log_${topicId}`;
}

export function createLogTable(db: BetterSqlite3.Database, topicId: number): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${logTableOf(topicId)} (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    body TEXT NOT NULL
  )`);
}

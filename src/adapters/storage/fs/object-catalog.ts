/**
 * The metadata of the embedded object store: buckets, object rows and
 * notification rules. Reads go through the database's reader connection
 * (committed data only, no write lock); the `...Within` methods run inside
 * a write transaction open on the writer connection.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { NotificationRule } from '../../../core/bucket-notification.ts';
import type { BucketInfo, ObjectInfo } from '../../../core/object-store.ts';
import type { SqliteDatabase } from '../../db/sqlite/sqlite-database.ts';
import { migrateObjectSchema } from './object-schema.ts';

export interface ObjectRow {
  readonly bucket: string;
  readonly key: string;
  /** Name of the blob file holding the content. */
  readonly blob: string;
  readonly size: number;
  readonly etag: string;
  readonly content_type: string;
  /** JSON object of the user metadata. */
  readonly user_metadata: string;
  readonly last_modified: number;
}

/** A page of rows in key order: `from` inclusive, `except` excluded, below `below`. */
export interface RowRange {
  readonly from: string;
  readonly except: string;
  readonly below?: string;
  readonly limit: number;
}

const COLUMNS = 'bucket, key, blob, size, etag, content_type, user_metadata, last_modified';

export function objectInfoOf(row: ObjectRow): ObjectInfo {
  return {
    bucket: row.bucket,
    key: row.key,
    size: row.size,
    etag: row.etag,
    contentType: row.content_type,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, string>,
    lastModified: new Date(row.last_modified),
  };
}

export function objectRowOf(info: ObjectInfo, blob: string): ObjectRow {
  return {
    bucket: info.bucket,
    key: info.key,
    blob,
    size: info.size,
    etag: info.etag,
    content_type: info.contentType,
    user_metadata: JSON.stringify(info.userMetadata),
    last_modified: info.lastModified.getTime(),
  };
}

type Statement<P extends unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;

export class ObjectCatalog {
  readonly #bucket: Statement<[string], { created_at: number }>;
  readonly #buckets: Statement<[], { name: string; created_at: number }>;
  readonly #object: Statement<[string, string], ObjectRow>;
  readonly #page: Statement<[string, string, string, number], ObjectRow>;
  readonly #pageBelow: Statement<[string, string, string, string, number], ObjectRow>;
  readonly #lastKey: Statement<[string, string], { key: string | null }>;
  readonly #lastKeyBelow: Statement<[string, string, string], { key: string | null }>;
  readonly #blobReferenced: Statement<[string]>;
  readonly #rules: Statement<[string], { rules: string }>;
  readonly #w: WriterStatements;

  constructor(database: SqliteDatabase) {
    migrateObjectSchema(database.writer);
    const r = database.reader;
    this.#bucket = r.prepare('SELECT created_at FROM ey_buckets WHERE name = ?');
    this.#buckets = r.prepare('SELECT name, created_at FROM ey_buckets ORDER BY name');
    this.#object = r.prepare(`SELECT ${COLUMNS} FROM ey_objects WHERE bucket = ? AND key = ?`);
    const page = `SELECT ${COLUMNS} FROM ey_objects WHERE bucket = ? AND key >= ? AND key <> ?`;
    this.#page = r.prepare(`${page} ORDER BY key LIMIT ?`);
    this.#pageBelow = r.prepare(`${page} AND key < ? ORDER BY key LIMIT ?`);
    const last = 'SELECT max(key) AS key FROM ey_objects WHERE bucket = ? AND key >= ?';
    this.#lastKey = r.prepare(last);
    this.#lastKeyBelow = r.prepare(`${last} AND key < ?`);
    this.#blobReferenced = r.prepare('SELECT 1 FROM ey_objects WHERE blob = ?');
    this.#rules = r.prepare('SELECT rules FROM ey_bucket_notifications WHERE bucket = ?');
    this.#w = prepareWrites(database.writer);
  }

  bucketExists(name: string): boolean {
    return this.#bucket.get(name) !== undefined;
  }

  buckets(): BucketInfo[] {
    return this.#buckets
      .all()
      .map((row) => ({ name: row.name, createdAt: new Date(row.created_at) }));
  }

  object(bucket: string, key: string): ObjectRow | undefined {
    return this.#object.get(bucket, key);
  }

  /**
   * Rows of a bucket in key order (UTF-8 byte order), read lazily: finish
   * or leave the iteration before using the catalog again.
   */
  rows(bucket: string, range: RowRange): IterableIterator<ObjectRow> {
    return range.below === undefined
      ? this.#page.iterate(bucket, range.from, range.except, range.limit)
      : this.#pageBelow.iterate(bucket, range.from, range.except, range.below, range.limit);
  }

  /** The greatest key at or after `from` and below `below` (unbounded when undefined). */
  lastKey(bucket: string, from: string, below: string | undefined): string | undefined {
    const row =
      below === undefined
        ? this.#lastKey.get(bucket, from)
        : this.#lastKeyBelow.get(bucket, from, below);
    return row?.key ?? undefined;
  }

  blobReferenced(blob: string): boolean {
    return this.#blobReferenced.get(blob) !== undefined;
  }

  rules(bucket: string): NotificationRule[] {
    const row = this.#rules.get(bucket);
    return row ? (JSON.parse(row.rules) as NotificationRule[]) : [];
  }

  /** Creates the bucket; false if it exists. */
  insertBucketWithin(name: string, now: number): boolean {
    return this.#w.insertBucket.run(name, now).changes > 0;
  }

  /** Deletes an empty bucket and its rules. */
  deleteBucketWithin(name: string): 'deleted' | 'missing' | 'not-empty' {
    if (this.#w.bucket.get(name) === undefined) return 'missing';
    if (this.#w.anyObject.get(name) !== undefined) return 'not-empty';
    this.#w.deleteRules.run(name);
    this.#w.deleteBucket.run(name);
    return 'deleted';
  }

  bucketExistsWithin(name: string): boolean {
    return this.#w.bucket.get(name) !== undefined;
  }

  objectWithin(bucket: string, key: string): ObjectRow | undefined {
    return this.#w.object.get(bucket, key);
  }

  upsertObjectWithin(row: ObjectRow): void {
    this.#w.upsert.run(row);
  }

  deleteObjectWithin(bucket: string, key: string): void {
    this.#w.deleteObject.run(bucket, key);
  }

  rulesWithin(bucket: string): NotificationRule[] {
    const row = this.#w.rules.get(bucket);
    return row ? (JSON.parse(row.rules) as NotificationRule[]) : [];
  }

  setRulesWithin(bucket: string, rules: readonly NotificationRule[]): void {
    if (rules.length === 0) this.#w.deleteRules.run(bucket);
    else this.#w.setRules.run(bucket, JSON.stringify(rules));
  }
}

interface WriterStatements {
  readonly bucket: Statement<[string]>;
  readonly insertBucket: Statement<[string, number]>;
  readonly anyObject: Statement<[string]>;
  readonly deleteBucket: Statement<[string]>;
  readonly object: Statement<[string, string], ObjectRow>;
  readonly upsert: Statement<[ObjectRow]>;
  readonly deleteObject: Statement<[string, string]>;
  readonly rules: Statement<[string], { rules: string }>;
  readonly setRules: Statement<[string, string]>;
  readonly deleteRules: Statement<[string]>;
}

/** Prepared on the writer connection; they run inside its open transaction. */
function prepareWrites(w: BetterSqlite3.Database): WriterStatements {
  return {
    bucket: w.prepare('SELECT 1 FROM ey_buckets WHERE name = ?'),
    insertBucket: w.prepare('INSERT OR IGNORE INTO ey_buckets (name, created_at) VALUES (?, ?)'),
    anyObject: w.prepare('SELECT 1 FROM ey_objects WHERE bucket = ? LIMIT 1'),
    deleteBucket: w.prepare('DELETE FROM ey_buckets WHERE name = ?'),
    object: w.prepare(`SELECT ${COLUMNS} FROM ey_objects WHERE bucket = ? AND key = ?`),
    upsert: w.prepare(
      `INSERT INTO ey_objects (${COLUMNS})
       VALUES (@bucket, @key, @blob, @size, @etag, @content_type, @user_metadata, @last_modified)
       ON CONFLICT (bucket, key) DO UPDATE SET blob = excluded.blob, size = excluded.size,
         etag = excluded.etag, content_type = excluded.content_type,
         user_metadata = excluded.user_metadata, last_modified = excluded.last_modified`,
    ),
    deleteObject: w.prepare('DELETE FROM ey_objects WHERE bucket = ? AND key = ?'),
    rules: w.prepare('SELECT rules FROM ey_bucket_notifications WHERE bucket = ?'),
    setRules: w.prepare(
      `INSERT INTO ey_bucket_notifications (bucket, rules) VALUES (?, ?)
       ON CONFLICT (bucket) DO UPDATE SET rules = excluded.rules`,
    ),
    deleteRules: w.prepare('DELETE FROM ey_bucket_notifications WHERE bucket = ?'),
  };
}

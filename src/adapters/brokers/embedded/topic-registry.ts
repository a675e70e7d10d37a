/**
 * Topics of the embedded log and their prepared statements. A topic is
 * created on first use, by whichever process uses it first.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Position } from '../../../core/position.ts';
import type { SqliteDatabase } from '../../db/sqlite/sqlite-database.ts';
import { createLogTable, logTableOf } from './log-schema.ts';

export class LogTopic {
  readonly id: number;
  readonly name: string;
  readonly partitions: number;
  /** Last append time used, so `ts` never decreases. */
  lastTs = 0;
  readonly #insert: BetterSqlite3.Statement<[number, string]>;
  readonly #reader: BetterSqlite3.Database;
  readonly #table: string;
  #reads: ReaderStatements | undefined;

  constructor(database: SqliteDatabase, id: number, name: string, partitions: number) {
    this.id = id;
    this.name = name;
    this.partitions = partitions;
    this.#table = logTableOf(id);
    this.#insert = database.writer.prepare(`INSERT INTO ${this.#table} (ts, body) VALUES (?, ?)`);
    this.#reader = database.reader;
  }

  /**
   * Reader statements, prepared on first use: a topic created inside a
   * transaction that has not committed yet is invisible to the reader.
   */
  get #r(): ReaderStatements {
    this.#reads ??= prepareReads(this.#reader, this.#table);
    return this.#reads;
  }

  get readBatch(): ReaderStatements['readBatch'] {
    return this.#r.readBatch;
  }

  /** Appends inside the caller's transaction on the writer connection; returns offsets. */
  append(bodies: readonly string[]): number[] {
    let ts = Date.now();
    if (ts < this.lastTs) ts = this.lastTs;
    this.lastTs = ts;
    const offsets = new Array<number>(bodies.length);
    for (let i = 0; i < bodies.length; i++) {
      offsets[i] = this.#insert.run(ts, bodies[i]!).lastInsertRowid as number;
    }
    return offsets;
  }

  /** Offset the next event will get (committed state). */
  head(): number {
    const last = this.#r.last.get();
    if (last) return last[0] + 1;
    return (this.#r.sequence.get(this.#table)?.[0] ?? 0) + 1;
  }

  /** Oldest offset kept (the head when the topic is empty). */
  firstOffset(): number {
    return this.#r.first.get()?.[0] ?? this.head();
  }

  /** The offset a position names on this topic now. */
  resolve(position: Position): number {
    if (position === 'earliest') return this.firstOffset();
    if (position === 'latest') return this.head();
    if ('offset' in position) return Math.max(position.offset, this.firstOffset());
    return this.offsetAt(position.time.getTime());
  }

  /** First offset appended at or after `time` (ms); the head if none. */
  offsetAt(time: number): number {
    // Smallest x whose first kept row at or after x was appended at or after
    // `time` (or does not exist); `ts` never decreases, so this is monotonic.
    let low = this.firstOffset();
    let high = this.head();
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const row = this.#r.readTsFrom.get(middle);
      if (!row || row[1] >= time) high = middle;
      else low = row[0] + 1;
    }
    return this.#r.readTsFrom.get(low)?.[0] ?? this.head();
  }
}

interface ReaderStatements {
  readonly readBatch: BetterSqlite3.Statement<[number, number], [number, string]>;
  readonly readTsFrom: BetterSqlite3.Statement<[number], [number, number]>;
  readonly first: BetterSqlite3.Statement<[], [number]>;
  readonly last: BetterSqlite3.Statement<[], [number, number]>;
  readonly sequence: BetterSqlite3.Statement<[string], [number]>;
}

function prepareReads(r: BetterSqlite3.Database, table: string): ReaderStatements {
  return {
    readBatch: r
      .prepare<[number, number], [number, string]>(
        `SELECT seq, body FROM ${table} WHERE seq >= ? ORDER BY seq LIMIT ?`,
      )
      .raw(true),
    readTsFrom: r
      .prepare<[number], [number, number]>(
        `SELECT seq, ts FROM ${table} WHERE seq >= ? ORDER BY seq LIMIT 1`,
      )
      .raw(true),
    first: r.prepare<[], [number]>(`SELECT seq FROM ${table} ORDER BY seq LIMIT 1`).raw(true),
    last: r
      .prepare<[], [number, number]>(`SELECT seq, ts FROM ${table} ORDER BY seq DESC LIMIT 1`)
      .raw(true),
    sequence: r
      .prepare<[string], [number]>('SELECT seq FROM sqlite_sequence WHERE name = ?')
      .raw(true),
  };
}

export class TopicRegistry {
  readonly #database: SqliteDatabase;
  readonly #defaultPartitions: number;
  readonly #topics = new Map<string, LogTopic>();
  /** Topics created by the transaction open on the writer, not yet committed. */
  readonly #tentative = new Set<string>();
  readonly #byName: BetterSqlite3.Statement<[string], { id: number; partitions: number }>;
  readonly #all: BetterSqlite3.Statement<[], { id: number; name: string; partitions: number }>;

  constructor(database: SqliteDatabase, defaultPartitions: number) {
    this.#database = database;
    this.#defaultPartitions = defaultPartitions;
    this.#byName = database.reader.prepare('SELECT id, partitions FROM ey_topics WHERE name = ?');
    this.#all = database.reader.prepare('SELECT id, name, partitions FROM ey_topics ORDER BY name');
  }

  /** The topic if it exists (created by any process), without creating it. */
  find(name: string): LogTopic | undefined {
    const cached = this.#topics.get(name);
    if (cached) return cached;
    const row = this.#byName.get(name);
    if (!row) return undefined;
    return this.#cache(row.id, name, row.partitions);
  }

  async ensure(name: string): Promise<LogTopic> {
    const found = this.find(name);
    if (found) return found;
    const partitions = this.#defaultPartitions;
    const id = await this.#database.writes.write((db) => {
      db.prepare(
        'INSERT OR IGNORE INTO ey_topics (name, partitions, created_at) VALUES (?, ?, ?)',
      ).run(name, partitions, Date.now());
      const row = db.prepare('SELECT id FROM ey_topics WHERE name = ?').get(name) as { id: number };
      createLogTable(db, row.id);
      return row.id;
    });
    return this.find(name) ?? this.#cache(id, name, partitions);
  }

  /**
   * The topic, created inside the transaction open on the writer connection
   * if it does not exist. After a rollback, `forget` it.
   */
  ensureWithin(db: BetterSqlite3.Database, name: string): LogTopic {
    const found = this.find(name);
    if (found) return found;
    const partitions = this.#defaultPartitions;
    db.prepare(
      'INSERT OR IGNORE INTO ey_topics (name, partitions, created_at) VALUES (?, ?, ?)',
    ).run(name, partitions, Date.now());
    const row = db.prepare('SELECT id, partitions FROM ey_topics WHERE name = ?').get(name) as {
      id: number;
      partitions: number;
    };
    createLogTable(db, row.id);
    this.#tentative.add(name);
    return this.#cache(row.id, name, row.partitions);
  }

  /** The writer committed: topics it created exist. */
  committed(): void {
    if (this.#tentative.size > 0) this.#tentative.clear();
  }

  /** The writer rolled back: topics created in that transaction do not exist. */
  rolledBack(): void {
    for (const name of this.#tentative) this.#topics.delete(name);
    this.#tentative.clear();
  }

  all(): LogTopic[] {
    return this.#all
      .all()
      .map((row) => this.find(row.name) ?? this.#cache(row.id, row.name, row.partitions));
  }

  byId(id: number): LogTopic | undefined {
    for (const topic of this.#topics.values()) if (topic.id === id) return topic;
    return this.all().find((topic) => topic.id === id);
  }

  #cache(id: number, name: string, partitions: number): LogTopic {
    const topic = new LogTopic(this.#database, id, name, partitions);
    this.#topics.set(name, topic);
    return topic;
  }
}

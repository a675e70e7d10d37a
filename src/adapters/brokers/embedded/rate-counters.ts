/**
 * Published and consumed counts per topic, group and minute, kept in the
 * database so any process (the CLI too) can read rates. Counts gather in
 * memory and are written once a second: a crash loses at most a second of
 * statistics, never an event.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from '../../db/sqlite/sqlite-database.ts';

/** The group name under which appends are counted. */
export const PUBLISHED = '';
const MINUTE = 60_000;
const KEEP_MINUTES = 24 * 60;

export class RateCounters {
  readonly #database: SqliteDatabase;
  #pending = new Map<string, { topicId: number; group: string; minute: number; count: number }>();
  readonly #read: BetterSqlite3.Statement<
    [number, string, number],
    { minute: number; count: number }
  >;
  #timer: NodeJS.Timeout | undefined;
  #flushes = 0;

  constructor(database: SqliteDatabase) {
    this.#database = database;
    this.#read = database.reader.prepare(
      'SELECT minute, count FROM ey_counters WHERE topic_id = ? AND grp = ? AND minute >= ?',
    );
  }

  add(topicId: number, group: string, count: number): void {
    const minute = Math.floor(Date.now() / MINUTE);
    const key = `${topicId}\u0000${group}\u0000${minute}`;
    const entry = this.#pending.get(key);
    if (entry) entry.count += count;
    else this.#pending.set(key, { topicId, group, minute, count });
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), 1_000);
      this.#timer.unref();
    }
  }

  /** Events per second over the last minute. */
  rate(topicId: number, group: string, now = Date.now()): number {
    const minute = Math.floor(now / MINUTE);
    let current = 0;
    let previous = 0;
    for (const row of this.#read.all(topicId, group, minute - 1)) {
      if (row.minute === minute) current += row.count;
      else previous += row.count;
    }
    for (const entry of this.#pending.values()) {
      if (entry.topicId !== topicId || entry.group !== group) continue;
      if (entry.minute === minute) current += entry.count;
      else if (entry.minute === minute - 1) previous += entry.count;
    }
    const elapsed = (now % MINUTE) / MINUTE;
    return (current + previous * (1 - elapsed)) / 60;
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0 || this.#database.closed) return;
    const entries = [...this.#pending.values()];
    this.#pending = new Map();
    const prune = ++this.#flushes % 600 === 1;
    await this.#database.writes.write((db) => {
      const upsert = db.prepare(
        `INSERT INTO ey_counters (topic_id, grp, minute, count) VALUES (?, ?, ?, ?)
         ON CONFLICT (topic_id, grp, minute) DO UPDATE SET count = count + excluded.count`,
      );
      for (const e of entries) upsert.run(e.topicId, e.group, e.minute, e.count);
      if (prune) {
        db.prepare('DELETE FROM ey_counters WHERE minute < ?').run(
          Math.floor(Date.now() / MINUTE) - KEEP_MINUTES,
        );
      }
    });
  }
}

/**
 * Delayed delivery on the embedded log: a delayed event waits in
 * `ey_scheduled` (durable from the moment its publish resolves) and is
 * appended to its topic when due, in the same transaction that removes it,
 * so it is appended exactly once even with several processes on one file.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from '../../db/sqlite/sqlite-database.ts';
import type { TopicRegistry } from './topic-registry.ts';

const MOVE_BATCH = 1_000;

export class DelayScheduler {
  readonly #database: SqliteDatabase;
  readonly #topics: TopicRegistry;
  readonly #onError: (error: Error) => void;
  readonly #nextDue: BetterSqlite3.Statement<[], [number | null]>;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #moving = false;
  #closed = false;

  constructor(database: SqliteDatabase, topics: TopicRegistry, onError: (error: Error) => void) {
    this.#database = database;
    this.#topics = topics;
    this.#onError = onError;
    this.#nextDue = database.reader
      .prepare<[], [number | null]>('SELECT min(deliver_at) FROM ey_scheduled')
      .raw(true);
  }

  async schedule(topicId: number, bodies: readonly string[], deliverAt: number): Promise<void> {
    await this.#database.writes.write((db) => {
      const insert = db.prepare(
        'INSERT INTO ey_scheduled (topic_id, deliver_at, body) VALUES (?, ?, ?)',
      );
      for (const body of bodies) insert.run(topicId, deliverAt, body);
    });
    this.#arm(deliverAt);
  }

  /** Looks for due or newly scheduled events (also those of other processes). */
  check(): void {
    if (this.#closed) return;
    const next = this.#nextDue.get()?.[0];
    if (next !== null && next !== undefined) this.#arm(next);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #arm(at: number): void {
    if (this.#closed || at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => void this.#moveDue(), Math.max(0, at - Date.now()));
  }

  async #moveDue(): Promise<void> {
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#moving || this.#closed) return;
    this.#moving = true;
    try {
      let moved = MOVE_BATCH;
      while (moved === MOVE_BATCH && !this.#closed) {
        moved = await this.#database.writes.write((db) => this.#moveBatch(db));
      }
    } catch (error) {
      this.#onError(error as Error);
      this.#arm(Date.now() + 1_000);
    } finally {
      this.#moving = false;
    }
    this.check();
  }

  #moveBatch(db: BetterSqlite3.Database): number {
    const due = db
      .prepare(
        'SELECT id, topic_id, body FROM ey_scheduled WHERE deliver_at <= ? ORDER BY deliver_at, id LIMIT ?',
      )
      .raw(true)
      .all(Date.now(), MOVE_BATCH) as Array<[number, number, string]>;
    const remove = db.prepare('DELETE FROM ey_scheduled WHERE id = ?');
    for (const [id, topicId, body] of due) {
      const topic = this.#topics.byId(topicId);
      if (!topic) continue; // topics are never dropped; keep the event rather than lose it
      topic.append([body]);
      remove.run(id);
    }
    return due.length;
  }
}

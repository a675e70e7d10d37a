/**
 * Group commit: write jobs queued in the same turn of the event loop run in
 * one SQLite transaction, and each caller's promise resolves once that
 * transaction has committed. Throughput therefore does not depend on callers
 * batching by hand. A job that throws is retried alone, so one bad write
 * fails only its own caller.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { WriteLock } from './write-lock.ts';

type Job = {
  readonly run: (db: BetterSqlite3.Database) => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
};

export class SqliteWriter {
  readonly #db: BetterSqlite3.Database;
  readonly #lock: WriteLock;
  readonly #afterCommit: Array<() => void> = [];
  readonly #afterRollback: Array<() => void> = [];
  #jobs: Job[] = [];
  #scheduled = false;

  constructor(db: BetterSqlite3.Database, lock: WriteLock) {
    this.#db = db;
    this.#lock = lock;
  }

  /**
   * Runs `run` inside the next group-commit transaction; resolves with its
   * result once the transaction is durable. `run` must be synchronous.
   */
  write<T>(run: (db: BetterSqlite3.Database) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ run, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Called after every commit on the writer connection (to wake readers). */
  onCommit(callback: () => void): void {
    this.#afterCommit.push(callback);
  }

  /**
   * Called after every rollback on the writer connection, so caches of
   * what the transaction created (a topic's table, say) can forget it.
   */
  onRollback(callback: () => void): void {
    this.#afterRollback.push(callback);
  }

  /** Jobs queued and not yet committed. */
  get pending(): number {
    return this.#jobs.length;
  }

  /** Runs queued jobs now if the lock is free (used by close and tests). */
  flushNow(): void {
    this.#flush();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#lock.whenFree(() => this.#flush());
    });
  }

  #flush(): void {
    if (this.#jobs.length === 0) return;
    if (!this.#lock.tryAcquire()) {
      this.#lock.whenFree(() => this.#flush());
      return;
    }
    const jobs = this.#jobs;
    this.#jobs = [];
    const results = new Array<unknown>(jobs.length);
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        for (let i = 0; i < jobs.length; i++) results[i] = jobs[i]!.run(this.#db);
        this.#db.exec('COMMIT');
      } catch (error) {
        this.#db.exec('ROLLBACK');
        throw error;
      }
    } catch {
      this.notifyRollback();
      this.#lock.release();
      this.#runAlone(jobs);
      return;
    }
    this.#lock.release();
    this.notifyCommit();
    for (let i = 0; i < jobs.length; i++) jobs[i]!.resolve(results[i]);
  }

  /** After a failed batch: each job in its own transaction, so only the bad one fails. */
  #runAlone(jobs: Job[]): void {
    if (!this.#lock.tryAcquire()) {
      this.#jobs = jobs.concat(this.#jobs);
      this.#lock.whenFree(() => this.#flush());
      return;
    }
    const outcomes: Array<() => void> = [];
    for (const job of jobs) {
      try {
        const value = this.#db.transaction(() => job.run(this.#db)).immediate();
        this.notifyCommit();
        outcomes.push(() => job.resolve(value));
      } catch (error) {
        this.notifyRollback();
        outcomes.push(() => job.reject(error));
      }
    }
    this.#lock.release();
    for (const settle of outcomes) settle();
  }

  /** Tells commit listeners that a transaction committed (also units of work). */
  notifyCommit(): void {
    for (const callback of this.#afterCommit) callback();
  }

  /** Tells rollback listeners that a transaction rolled back (also units of work). */
  notifyRollback(): void {
    for (const callback of this.#afterRollback) callback();
  }
}

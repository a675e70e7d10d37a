/**
 * One SQLite database file in WAL mode, opened twice: a writer connection
 * that every write goes through (group commit and units of work, under one
 * lock), and a reader connection that only ever sees committed data, so
 * consumers never read rows of a transaction that may still roll back.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EngineError } from '../../../core/errors.ts';
import { SqliteWriter } from './sqlite-writer.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { WriteLock } from './write-lock.ts';

export interface SqliteDatabaseOptions {
  /** File path, or ':memory:' is refused: readers need a file. */
  readonly path: string;
  /**
   * fsync every commit (synchronous=FULL): survives power loss. Default
   * false (synchronous=NORMAL): a commit survives a kill -9 of the process.
   */
  readonly fsync?: boolean;
  /** How long a write waits for another process's write, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
}

export class SqliteDatabase {
  readonly path: string;
  readonly fsync: boolean;
  readonly writer: Database.Database;
  readonly reader: Database.Database;
  readonly lock = new WriteLock();
  readonly writes: SqliteWriter;
  readonly #checkpointer: WalCheckpointer;
  #closed = false;

  constructor(options: SqliteDatabaseOptions) {
    this.path = options.path;
    this.fsync = options.fsync ?? false;
    const busy = options.busyTimeoutMs ?? 5_000;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      this.writer = new Database(options.path);
      this.writer.pragma('journal_mode = WAL');
      this.writer.pragma(`synchronous = ${this.fsync ? 'FULL' : 'NORMAL'}`);
      this.writer.pragma(`busy_timeout = ${busy}`);
      this.writer.pragma('foreign_keys = ON');
      // Once a checkpoint has caught up, the WAL file shrinks back to this size.
      this.writer.pragma('journal_size_limit = 67108864');
      this.reader = new Database(options.path, { readonly: true });
      this.reader.pragma(`busy_timeout = ${busy}`);
    } catch (error) {
      throw new EngineError(`cannot open SQLite database at ${options.path}`, { cause: error });
    }
    this.writes = new SqliteWriter(this.writer, this.lock);
    this.#checkpointer = new WalCheckpointer(options.path, this.writer);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Changes whenever any connection, in any process, commits to the file. */
  dataVersion(): number {
    return this.reader.pragma('data_version', { simple: true }) as number;
  }

  /** Waits for queued writes and any running unit of work, then closes both connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.writes.pending > 0 || this.lock.held) {
      await new Promise<void>((resolve) => this.lock.whenFree(() => setImmediate(resolve)));
      this.writes.flushNow();
    }
    this.#closed = true;
    await this.#checkpointer.close();
    this.reader.close();
    this.writer.close();
  }
}

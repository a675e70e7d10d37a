/**
 * Moves WAL pages into the database file from a worker thread, with its
 * own connection, so the thread that publishes never pays for checkpoints
 * (SQLite's automatic checkpoint runs inside the COMMIT of whichever write
 * crosses the threshold). PASSIVE checkpoints never block writers or readers.
 * If the worker dies, the writer falls back to SQLite's automatic checkpoints.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.postMessage('closed');
});
`;

/** Pages (4 KiB) of WAL beyond which the writer checkpoints itself. */
const BACKSTOP_PAGES = 8192;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

export class WalCheckpointer {
  readonly #worker: Worker;
  readonly #writer: BetterSqlite3.Database;
  #alive = true;

  constructor(path: string, writer: BetterSqlite3.Database, intervalMs = 50) {
    this.#writer = writer;
    writer.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    this.#worker = new Worker(SOURCE, { eval: true, workerData: { path, driver, intervalMs } });
    this.#worker.unref();
    const fallBack = () => {
      if (!this.#alive) return;
      this.#alive = false;
      if (writer.open) writer.pragma('wal_autocheckpoint = 1000');
    };
    this.#worker.on('error', fallBack);
    this.#worker.on('exit', fallBack);
  }

  async close(): Promise<void> {
    if (!this.#alive) return;
    this.#alive = false;
    const closed = new Promise<void>((resolve) => {
      this.#worker.once('message', () => resolve());
      this.#worker.once('exit', () => resolve());
    });
    // Hold the event loop open until the worker answers (it is unref'd otherwise).
    this.#worker.ref();
    this.#worker.postMessage('close');
    await closed;
    await this.#worker.terminate();
    if (this.#writer.open) this.#writer.pragma('wal_autocheckpoint = 1000');
  }
}

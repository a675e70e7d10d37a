/**
 * The baseline: what usual client code does with better-sqlite3 alone.
 * The same events, JSON.stringify'd into a table of the embedded log's
 * shape, in batched transactions, with the same journal and synchronous
 * pragmas; and the same rows read back in batches with JSON.parse.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Envelope } from '../src/core/envelope.ts';
import { type Durability, survives, synchronousOf } from './durability.ts';
import { type Throughput, throughput } from './measurement.ts';
import type { OrderData } from './workload.ts';

/**
 * A database as usual client code opens it. `checkpoints: false` turns off
 * SQLite's automatic WAL checkpoints, which otherwise run inside whichever
 * COMMIT crosses 1000 pages: an upper bound only, as the WAL then grows
 * without limit.
 */
export function openRawDatabase(
  path: string,
  durability: Durability,
  checkpoints = true,
): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronousOf(durability)}`);
  if (!checkpoints) db.pragma('wal_autocheckpoint = 0');
  db.exec(`CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    body TEXT NOT NULL
  )`);
  return db;
}

/** Inserts `events` in transactions of `batchSize`; stops early after `seconds`. Returns how many. */
export function insertBatched(
  db: Database.Database,
  events: readonly Envelope[],
  batchSize: number,
  seconds = Number.POSITIVE_INFINITY,
): number {
  const insert = db.prepare('INSERT INTO events (ts, body) VALUES (?, ?)');
  const insertBatch = db.transaction((from: number, to: number) => {
    const ts = Date.now();
    for (let i = from; i < to; i++) insert.run(ts, JSON.stringify(events[i]));
  });
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  while (done < events.length && performance.now() < deadline) {
    const to = Math.min(done + batchSize, events.length);
    insertBatch(done, to);
    done = to;
  }
  return done;
}

export interface RawPublishRun {
  readonly dir: string;
  readonly durability: Durability;
  /** Rows per transaction: the eventyard side's number of concurrent callers. */
  readonly batchSize: number;
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
  readonly seconds: number;
  /** SQLite's automatic checkpoints; default true. */
  readonly checkpoints?: boolean;
}

export function measureRawPublish(run: RawPublishRun): Throughput {
  const checkpoints = run.checkpoints ?? true;
  const db = openRawDatabase(
    join(run.dir, `raw-${run.durability}-${run.batchSize}-${checkpoints}.db`),
    run.durability,
    checkpoints,
  );
  try {
    insertBatched(db, run.warmup, run.batchSize);
    const started = performance.now();
    const inserted = insertBatched(db, run.events, run.batchSize, run.seconds);
    const elapsedMs = performance.now() - started;
    const upperBound = checkpoints ? '' : ', no checkpoints (upper bound)';
    return throughput(
      `raw better-sqlite3 insert, batch of ${run.batchSize}, ${run.durability} (survives ${survives(run.durability)})${upperBound}`,
      inserted,
      elapsedMs,
    );
  } finally {
    db.close();
  }
}

export interface RawConsumeRun {
  readonly dir: string;
  readonly events: readonly Envelope[];
  readonly warmup: readonly Envelope[];
  /** Rows per SELECT. */
  readonly readBatch: number;
}

/** Reads every row from `after` on in batches, parses it and touches its data; returns the last seq. */
function readAll(
  db: Database.Database,
  after: number,
  batch: number,
  touch: (data: OrderData) => void,
): number {
  const select = db
    .prepare<[number, number], [number, string]>(
      'SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    )
    .raw(true);
  let cursor = after;
  for (;;) {
    const rows = select.all(cursor, batch);
    if (rows.length === 0) return cursor;
    for (const [seq, body] of rows) {
      touch((JSON.parse(body) as Envelope<OrderData>).data);
      cursor = seq;
    }
  }
}

export function measureRawConsume(run: RawConsumeRun): Throughput {
  const db = openRawDatabase(join(run.dir, 'raw-consume.db'), 'default');
  try {
    insertBatched(db, run.warmup, 1000);
    const afterWarmup = readAll(db, 0, run.readBatch, () => {});
    insertBatched(db, run.events, 1000);
    let handled = 0;
    let total = 0;
    const started = performance.now();
    readAll(db, afterWarmup, run.readBatch, (data) => {
      total += data.amountCents;
      handled++;
    });
    const elapsedMs = performance.now() - started;
    if (handled !== run.events.length || total <= 0) {
      throw new Error(`raw consume read ${handled} of ${run.events.length} events`);
    }
    return throughput(
      `raw better-sqlite3 read, batches of ${run.readBatch}, JSON.parse`,
      handled,
      elapsedMs,
    );
  } finally {
    db.close();
  }
}

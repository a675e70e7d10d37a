/**
 * The embedded broker: an append-only log, consumer groups, delayed
 * delivery and statistics in one SQLite database (WAL), inside the process.
 * A publish resolves when its group commit has committed: it then survives a
 * kill -9 of the process, and with `fsync` also power loss.
 */
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { type Envelope, serializeEvent } from '../../../core/envelope.ts';
import { ConflictError, ValidationError } from '../../../core/errors.ts';
import type { Position } from '../../../core/position.ts';
import type {
  ConsumeOptions,
  GroupInfo,
  PublishReceipt,
  ReadOptions,
  StoredEvent,
  TopicInfo,
  Transport,
  TransportCapabilities,
  TransportConsumer,
  TransportPublishOptions,
} from '../../../core/transport.ts';
import type { OutboxSink } from '../../db/sqlite/outbox-sink.ts';
import { SqliteDatabase } from '../../db/sqlite/sqlite-database.ts';
import { DelayScheduler } from './delay-scheduler.ts';
import { currentHolder, lapsed } from './group-lease.ts';
import { clearAttempts, writePosition } from './group-positions.ts';
import { GroupReader } from './group-reader.ts';
import { migrateLogSchema } from './log-schema.ts';
import { PUBLISHED, RateCounters } from './rate-counters.ts';
import { TopicRegistry } from './topic-registry.ts';

export interface SqliteLogOptions {
  /** Database file. Ignored when `database` is given. */
  readonly path?: string;
  /** An open database shared with the SQLite store (one transaction for both). */
  readonly database?: SqliteDatabase;
  /** fsync every group commit (survives power loss). Default false (survives kill -9). */
  readonly fsync?: boolean;
  /** Partitions of a new topic. Default 8. */
  readonly partitions?: number;
  /** How long a group's lease lasts without renewal, ms. Default 10 000. */
  readonly leaseMs?: number;
  /** How often group positions are committed, ms. Default 100. */
  readonly commitIntervalMs?: number;
  /** How often to look for commits of other processes, ms. Default 100. */
  readonly pollMs?: number;
  /** Largest serialized event, bytes. Default 1 MiB. */
  readonly maxEventBytes?: number;
  /** Engine trouble that is being recovered from. */
  readonly onError?: (error: Error) => void;
}

export class SqliteLog implements Transport, OutboxSink {
  readonly capabilities: TransportCapabilities;
  readonly database: SqliteDatabase;
  readonly #ownsDatabase: boolean;
  readonly #options: Required<
    Pick<SqliteLogOptions, 'leaseMs' | 'commitIntervalMs' | 'pollMs' | 'maxEventBytes'>
  >;
  readonly #owner = randomUUID();
  readonly #topics: TopicRegistry;
  readonly #readers = new Map<string, GroupReader>();
  readonly #scheduler: DelayScheduler;
  readonly #counters: RateCounters;
  readonly #onError: (error: Error) => void;
  #changeWaiters: Array<() => void> = [];
  /** A delayed event was written inside the open transaction: look for it once committed. */
  #scheduledWithin = false;
  #dataVersion: number;
  #poller: NodeJS.Timeout;
  #closed = false;

  constructor(options: SqliteLogOptions) {
    if (!options.database && !options.path) {
      throw new ValidationError('the embedded log needs a database file path', { path: 'path' });
    }
    this.#ownsDatabase = !options.database;
    this.database =
      options.database ?? new SqliteDatabase({ path: options.path!, fsync: options.fsync });
    this.#onError = options.onError ?? (() => {});
    migrateLogSchema(this.database.writer);
    const partitions = options.partitions ?? 8;
    this.#options = {
      leaseMs: options.leaseMs ?? 10_000,
      commitIntervalMs: options.commitIntervalMs ?? 100,
      pollMs: options.pollMs ?? 100,
      maxEventBytes: options.maxEventBytes ?? 1024 * 1024,
    };
    this.capabilities = {
      engine: 'embedded',
      replay: true,
      replayFromTime: true,
      delayedDelivery: true,
      durability: this.database.fsync ? 'power-loss' : 'process-crash',
      maxEventBytes: this.#options.maxEventBytes,
      partitions,
    };
    this.#topics = new TopicRegistry(this.database, partitions);
    this.#counters = new RateCounters(this.database);
    this.#scheduler = new DelayScheduler(this.database, this.#topics, this.#onError);
    this.database.writes.onCommit(() => {
      this.#topics.committed();
      if (this.#scheduledWithin) {
        this.#scheduledWithin = false;
        this.#scheduler.check();
      }
      this.#changed();
    });
    this.database.writes.onRollback(() => {
      this.#topics.rolledBack();
      this.#scheduledWithin = false;
    });
    this.#dataVersion = this.database.dataVersion();
    this.#poller = setInterval(() => this.#poll(), this.#options.pollMs);
    this.#poller.unref();
    this.#scheduler.check();
  }

  async ready(): Promise<void> {}

  async publish(
    topic: string,
    events: readonly Envelope[],
    options?: TransportPublishOptions,
  ): Promise<PublishReceipt> {
    const bodies = events.map((event) => this.#serialize(event));
    const log = await this.#topics.ensure(topic);
    const deliverAt = options?.deliverAt;
    if (deliverAt !== undefined && deliverAt > Date.now()) {
      await this.#scheduler.schedule(log.id, bodies, deliverAt);
      return { offsets: bodies.map(() => undefined) };
    }
    const offsets = await this.database.writes.write(() => log.append(bodies));
    this.#counters.add(log.id, PUBLISHED, bodies.length);
    return { offsets };
  }

  /**
   * Appends inside the transaction open on the writer connection (the
   * SQLite store's unit of work): the events commit or roll back with it.
   */
  appendWithin(
    db: BetterSqlite3.Database,
    topic: string,
    events: readonly Envelope[],
    deliverAt?: number,
  ): void {
    const bodies = events.map((event) => this.#serialize(event));
    const log = this.#topics.ensureWithin(db, topic);
    if (deliverAt !== undefined && deliverAt > Date.now()) {
      const insert = db.prepare(
        'INSERT INTO ey_scheduled (topic_id, deliver_at, body) VALUES (?, ?, ?)',
      );
      for (const body of bodies) insert.run(log.id, deliverAt, body);
      this.#scheduledWithin = true;
      return;
    }
    log.append(bodies);
    this.#counters.add(log.id, PUBLISHED, bodies.length);
  }

  async consume(options: ConsumeOptions): Promise<TransportConsumer> {
    const topic = await this.#topics.ensure(options.topic);
    const key = `${topic.id}\u0000${options.group}`;
    let reader = this.#readers.get(key);
    if (!reader) {
      reader = new GroupReader({
        database: this.database,
        topic,
        group: options.group,
        owner: this.#owner,
        leaseMs: this.#options.leaseMs,
        commitIntervalMs: this.#options.commitIntervalMs,
        counters: this.#counters,
        onError: options.onError ?? this.#onError,
        onEmpty: () => this.#readers.delete(key),
      });
      this.#readers.set(key, reader);
      this.#poller.ref();
    }
    return reader.join(options.deliver, options.maxInFlight, options.start);
  }

  async *read(topic: string, options: ReadOptions): AsyncIterable<StoredEvent> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    let log = this.#topics.find(topic);
    while (!log) {
      if (!options.follow || !(await this.#nextChange(options.signal))) return;
      log = this.#topics.find(topic);
    }
    let cursor = log.resolve(options.from);
    let count = 0;
    for (;;) {
      const rows = log.readBatch.all(cursor, Math.min(512, limit - count));
      for (const [offset, body] of rows) {
        yield { topic, offset, event: JSON.parse(body) as Envelope };
        cursor = offset + 1;
        if (++count >= limit) return;
      }
      if (rows.length === 0) {
        if (!options.follow || !(await this.#nextChange(options.signal))) return;
      }
    }
  }

  async resetGroup(topic: string, group: string, position: Position): Promise<void> {
    const log = await this.#topics.ensure(topic);
    if (this.#readers.has(`${log.id}\u0000${group}`)) {
      throw new ConflictError(
        `group ${group} on ${topic} is consuming in this process; close its subscriptions first`,
        { topic, group },
      );
    }
    await this.database.writes.write((db) => {
      if (!lapsed(currentHolder(db, log.id, group), Date.now())) {
        throw new ConflictError(
          `group ${group} on ${topic} is consuming in another process; stop it first`,
          { topic, group },
        );
      }
      writePosition(db, log.id, group, log.resolve(position));
      clearAttempts(db, log.id, group);
    });
  }

  async topics(): Promise<TopicInfo[]> {
    return this.#topics.all().map((log) => {
      const head = log.head();
      return {
        topic: log.name,
        partitions: log.partitions,
        head,
        first: log.firstOffset(),
        published: head - 1,
        publishRate: this.#counters.rate(log.id, PUBLISHED),
      };
    });
  }

  async groups(topic?: string): Promise<GroupInfo[]> {
    const rows = this.database.reader
      .prepare(
        `SELECT t.id AS topicId, t.name AS topic, o.grp AS grp, o.position AS position
         FROM ey_offsets o JOIN ey_topics t ON t.id = o.topic_id
         WHERE (? IS NULL OR t.name = ?) ORDER BY t.name, o.grp`,
      )
      .all(topic ?? null, topic ?? null) as Array<{
      topicId: number;
      topic: string;
      grp: string;
      position: number;
    }>;
    const now = Date.now();
    return rows.map((row) => {
      const log = this.#topics.find(row.topic)!;
      const head = log.head();
      const live = this.#readers.get(`${row.topicId}\u0000${row.grp}`)?.position;
      const position = Math.max(live ?? row.position, log.firstOffset());
      return {
        topic: row.topic,
        group: row.grp,
        position,
        lag: Math.max(0, head - position),
        consumeRate: this.#counters.rate(row.topicId, row.grp, now),
        active: !lapsed(currentHolder(this.database.reader, row.topicId, row.grp), now),
      };
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#poller);
    this.#scheduler.close();
    for (const waiter of this.#changeWaiters) waiter();
    this.#changeWaiters = [];
    await this.#counters.flush();
    if (this.#ownsDatabase) await this.database.close();
  }

  #serialize(event: Envelope): string {
    return serializeEvent(event, this.#options.maxEventBytes);
  }

  #poll(): void {
    if (this.#closed) return;
    const version = this.database.dataVersion();
    if (version !== this.#dataVersion) {
      this.#dataVersion = version;
      this.#changed();
      this.#scheduler.check();
    }
    if (this.#readers.size === 0 && this.#changeWaiters.length === 0) this.#poller.unref();
  }

  #changed(): void {
    for (const reader of this.#readers.values()) reader.wake();
    if (this.#changeWaiters.length > 0) {
      const waiters = this.#changeWaiters;
      this.#changeWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  /** Resolves true on the next commit seen, false when aborted or closed. */
  #nextChange(signal?: AbortSignal): Promise<boolean> {
    if (this.#closed || signal?.aborted) return Promise.resolve(false);
    this.#poller.ref();
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#changeWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(!this.#closed && !signal?.aborted);
      });
    });
  }
}

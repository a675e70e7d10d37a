/**
 * Moves items another system pushes to a Redis list into a topic. It exists
 * for MinIO: its Redis notification target cannot write to a stream. With
 * `MINIO_NOTIFY_REDIS_FORMAT=access` it RPUSHes, per object event,
 * `[{"Event": [<S3 event record>], "EventTime": "..."}]` to the list named
 * by MINIO_NOTIFY_REDIS_KEY (the `namespace` format keeps a hash of the
 * bucket's current objects instead, which is state, not a log of events,
 * and cannot be imported). Each record becomes the notification MinIO's
 * NATS/AMQP targets send (`{EventName, Key, Records}`), adopted as an
 * envelope (core/foreign-message.ts), so the indexer reads it unchanged;
 * anything else in the list is adopted as a foreign message.
 *
 * At-least-once, LMOVE-style: an item is moved (BLMOVE, atomic) to
 * `<list>:eventyard-processing`, published, and only then removed from
 * there, so an importer killed at any point leaves it in one of the two
 * lists. Items left in the processing list are published again: at once
 * by an importer that starts, and by a running importer once they have
 * sat there through two of its sweeps (one per `sweepMs`), which covers a
 * crashed process that never comes back while another keeps running. A
 * repeat carries the same envelope (its id is a hash of the record, its
 * time MinIO's EventTime), so the inbox of an effectively-once handler drops it.
 */
import type { Redis } from 'ioredis';
import type { Envelope } from '../../../core/envelope.ts';
import { EngineError, ValidationError } from '../../../core/errors.ts';
import { adoptMessage } from '../../../core/foreign-message.ts';
import { sleep } from '../../../core/sleep.ts';
import type { Transport } from '../../../core/transport.ts';
import type { RedisConnections } from './redis-connections.ts';

const BLOCK_SECONDS = 1;

export interface ListImporterOptions {
  readonly list: string;
  readonly topic: string;
  readonly connections: RedisConnections;
  readonly transport: Pick<Transport, 'publish'>;
  /** How often a running importer looks for items a crashed one left behind, ms. */
  readonly sweepMs: number;
  readonly onError: (error: Error) => void;
}

export class ListImporter {
  readonly list: string;
  readonly #o: ListImporterOptions;
  readonly #processing: string;
  readonly #rejected: string;
  readonly #connection: Redis;
  #stopped = false;
  #nextSweep = 0;
  /** Items seen in the processing list at the last sweep. */
  #seen = new Set<string>();
  #loop: Promise<void> | undefined;

  private constructor(options: ListImporterOptions) {
    this.#o = options;
    this.list = options.list;
    this.#processing = `${options.list}:eventyard-processing`;
    this.#rejected = `${options.list}:eventyard-rejected`;
    this.#connection = options.connections.dedicated(`import-${options.list}`);
  }

  static start(options: ListImporterOptions): ListImporter {
    const importer = new ListImporter(options);
    importer.#loop = importer.#run();
    return importer;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#o.connections.release(this.#connection);
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        for (const item of await this.#connection.lrange(this.#processing, 0, -1)) {
          await this.#import(item);
        }
        break;
      } catch (error) {
        if (!this.#stopped) await this.#trouble(error);
      }
    }
    this.#nextSweep = Date.now() + this.#o.sweepMs;
    while (!this.#stopped) {
      try {
        const item = await this.#connection.blmove(
          this.#o.list,
          this.#processing,
          'LEFT',
          'RIGHT',
          BLOCK_SECONDS,
        );
        if (item !== null) await this.#import(item);
        if (Date.now() >= this.#nextSweep) await this.#sweep();
      } catch (error) {
        if (!this.#stopped) await this.#trouble(error);
      }
    }
  }

  /** Imports items that sat in the processing list since the last sweep (their importer died). */
  async #sweep(): Promise<void> {
    this.#nextSweep = Date.now() + this.#o.sweepMs;
    const items = await this.#connection.lrange(this.#processing, 0, -1);
    const seen = this.#seen;
    this.#seen = new Set(items);
    for (const item of items) {
      if (seen.has(item) && !this.#stopped) await this.#import(item);
    }
  }

  async #import(item: string): Promise<void> {
    try {
      await this.#o.transport.publish(this.#o.topic, adoptListItem(item, this.#o.topic));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      // It can never be published (too large): set aside for a person, not retried forever.
      await this.#connection.rpush(this.#rejected, item);
      this.#o.onError(
        new EngineError(`item of list ${this.list} moved to ${this.#rejected}: ${error.message}`, {
          cause: error,
        }),
      );
    }
    await this.#connection.lrem(this.#processing, 1, item);
  }

  async #trouble(error: unknown): Promise<void> {
    this.#o.onError(error as Error);
    await sleep(500);
  }
}

interface AccessRecord {
  readonly eventName?: unknown;
  readonly eventTime?: unknown;
  readonly s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } };
}

/** The envelopes one list item stands for (one per MinIO event record). */
export function adoptListItem(item: string, topic: string): Envelope[] {
  const records = accessRecords(item);
  if (records.length === 0) return [adoptMessage(item, { topic })];
  return records.map((record) => {
    const bucket = String(record.s3!.bucket!.name);
    const key = queryUnescape(String(record.s3!.object!.key));
    const notification = {
      EventName: record.eventName,
      Key: `${bucket}/${key}`,
      Records: [record],
    };
    const time = new Date(String(record.eventTime));
    return adoptMessage(JSON.stringify(notification), {
      topic,
      ...(Number.isNaN(time.getTime()) ? {} : { time }),
    });
  });
}

/** The S3 records of a MinIO `access`-format item; none if it is not one. */
function accessRecords(item: string): AccessRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(item);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const records: AccessRecord[] = [];
  for (const entry of parsed as Array<{ Event?: unknown }>) {
    if (!Array.isArray(entry?.Event)) return [];
    for (const record of entry.Event as AccessRecord[]) {
      const named =
        typeof record?.eventName === 'string' &&
        typeof record.s3?.bucket?.name === 'string' &&
        typeof record.s3?.object?.key === 'string';
      if (!named) return [];
      records.push(record);
    }
  }
  return records;
}

/** Go's url.QueryUnescape, undoing the escaping MinIO applies to keys in records. */
function queryUnescape(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

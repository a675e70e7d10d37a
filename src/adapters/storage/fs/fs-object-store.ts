/**
 * The embedded object store: content in blob files under a folder,
 * metadata and bucket notifications in the SQLite database of the log.
 *
 * A put streams the body to a fresh blob file (MD5, size and limits
 * checked on the way; fsynced with its folder when the database fsyncs its
 * commits, so content and row are equally durable), and only then, in one
 * write transaction, records the object's row and
 * appends its notifications to the log. An object is therefore visible
 * exactly when its notification is in the log; a crash before the commit
 * leaves only an unreferenced blob, which garbage collection removes.
 * Reads use the reader connection and never wait for the write lock.
 */
import { randomUUID } from 'node:crypto';
import type { BucketEventContext, NotificationRule } from '../../../core/bucket-notification.ts';
import {
  ClosedError,
  ConflictError,
  EngineError,
  NotFoundError,
  UnsupportedError,
} from '../../../core/errors.ts';
import { putAttributesOf } from '../../../core/object-input.ts';
import { validateBucketName, validateObjectKey } from '../../../core/object-names.ts';
import type {
  BucketInfo,
  ByteRange,
  ListObjectsOptions,
  NotifyingObjectStore,
  ObjectInfo,
  ObjectListing,
  ObjectStoreCapabilities,
  PutObjectInput,
  StoredObject,
} from '../../../core/object-store.ts';
import type { OutboxSink } from '../../db/sqlite/outbox-sink.ts';
import type { SqliteDatabase } from '../../db/sqlite/sqlite-database.ts';
import { BlobFiles } from './blob-files.ts';
import { resolveRange } from './byte-range.ts';
import { collectGarbage, type GarbageReport } from './garbage-collector.ts';
import { NotificationOutbox } from './notification-outbox.ts';
import { validateNotificationRules } from './notification-rules.ts';
import { ObjectCatalog, objectInfoOf, objectRowOf } from './object-catalog.ts';
import { listObjects } from './object-listing.ts';

/** S3's largest single PUT. */
export const DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 ** 3;

export interface FsObjectStoreOptions {
  /** Folder of the blob files; created if missing. */
  readonly root: string;
  /** Holds the metadata; share the log's database so notifications commit with their object. */
  readonly database: SqliteDatabase;
  /** Where bucket notifications go (the embedded log). Without one, rules cannot be set. */
  readonly outbox?: OutboxSink;
  /** Largest object `put` accepts, bytes. Default 5 GiB (S3's single-PUT limit). */
  readonly maxObjectBytes?: number;
  /**
   * Garbage collection leaves unreferenced blobs and temp files younger
   * than this alone (a put of another process may be about to commit
   * one), ms. Default 60 000.
   */
  readonly orphanGraceMs?: number;
  /** Failures of background work (the garbage collection at open). Default: ignored. */
  readonly onError?: (error: Error) => void;
}

type PutOutcome = { readonly info: ObjectInfo; readonly replaced?: string } | 'no-bucket';

export class FsObjectStore implements NotifyingObjectStore {
  readonly capabilities: ObjectStoreCapabilities;
  readonly #database: SqliteDatabase;
  readonly #catalog: ObjectCatalog;
  readonly #blobs: BlobFiles;
  readonly #notifications: NotificationOutbox;
  readonly #graceMs: number;
  /** Ids of puts in flight here (their blobs): garbage collection skips them. */
  readonly #inFlight = new Set<string>();
  /**
   * Buckets a put found: later puts to them skip the lookup (a read of the
   * database, 35 µs of a jobs API request's 1 ms). Their transaction checks
   * the bucket anyway, so a bucket another process deleted costs such a put
   * its blob write, not a wrong answer.
   */
  readonly #foundBuckets = new Set<string>();
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: FsObjectStoreOptions) {
    this.capabilities = {
      engine: 'fs',
      maxObjectBytes: options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES,
    };
    this.#database = options.database;
    this.#catalog = new ObjectCatalog(options.database);
    this.#blobs = new BlobFiles(options.root, options.database.fsync);
    this.#notifications = new NotificationOutbox(options.outbox);
    this.#graceMs = options.orphanGraceMs ?? 60_000;
    const onError = options.onError ?? (() => {});
    void this.#track(this.collectGarbage().catch((error: Error) => onError(error)));
  }

  async createBucket(name: string): Promise<void> {
    this.#checkOpen();
    validateBucketName(name);
    const created = await this.#database.writes.write(() =>
      this.#catalog.insertBucketWithin(name, Date.now()),
    );
    if (!created) {
      throw new ConflictError(`bucket ${name} exists`, {
        bucket: name,
        code: 'BucketAlreadyOwnedByYou',
      });
    }
  }

  async ensureBucket(name: string): Promise<void> {
    this.#checkOpen();
    validateBucketName(name);
    if (this.#catalog.bucketExists(name)) return;
    await this.#database.writes.write(() => this.#catalog.insertBucketWithin(name, Date.now()));
  }

  async deleteBucket(name: string): Promise<void> {
    this.#checkOpen();
    validateBucketName(name);
    const outcome = await this.#database.writes.write(() => this.#catalog.deleteBucketWithin(name));
    if (outcome === 'missing') {
      this.#foundBuckets.delete(name);
      throw noSuchBucket(name);
    }
    if (outcome === 'not-empty') {
      throw new ConflictError(`bucket ${name} is not empty`, {
        bucket: name,
        code: 'BucketNotEmpty',
      });
    }
    this.#foundBuckets.delete(name);
    await this.#blobs.removeBucketFolder(name);
  }

  async listBuckets(): Promise<BucketInfo[]> {
    this.#checkOpen();
    return this.#catalog.buckets();
  }

  async put(input: PutObjectInput): Promise<ObjectInfo> {
    this.#checkOpen();
    const bucket = validateBucketName(input.bucket);
    const key = validateObjectKey(input.key);
    const attributes = putAttributesOf(input, this.capabilities.maxObjectBytes);
    if (!this.#foundBuckets.has(bucket)) {
      this.#requireBucket(bucket, key);
      this.#foundBuckets.add(bucket);
    }
    const id = randomUUID();
    this.#inFlight.add(id);
    return this.#track(
      (async () => {
        try {
          const limits = {
            maxBytes: this.capabilities.maxObjectBytes,
            contentLength: attributes.contentLength,
            contentMd5: attributes.contentMd5?.digest,
          };
          const written = await this.#blobs.write(id, bucket, input.body, limits);
          const info: ObjectInfo = {
            bucket,
            key,
            size: written.size,
            etag: written.md5.toString('hex'),
            contentType: attributes.contentType,
            userMetadata: attributes.userMetadata,
            lastModified: new Date(),
          };
          return await this.#record(info, id, input.context);
        } finally {
          this.#inFlight.delete(id);
        }
      })(),
    );
  }

  async get(
    bucket: string,
    key: string,
    options: { readonly range?: ByteRange } = {},
  ): Promise<StoredObject> {
    this.#checkOpen();
    validateBucketName(bucket);
    validateObjectKey(key);
    let previous: string | undefined;
    for (;;) {
      const row = this.#catalog.object(bucket, key);
      if (!row) throw this.#missing(bucket, key);
      const range = options.range === undefined ? undefined : resolveRange(options.range, row.size);
      if (row.blob === previous) {
        throw new EngineError(`the content of ${bucket}/${key} is missing from the blob folder`, {
          bucket,
          key,
        });
      }
      // Open first, then stream: once open, a later unlink (overwrite, delete) does not cut the read.
      const file = await this.#blobs.open(bucket, row.blob);
      if (!file) {
        previous = row.blob; // replaced or deleted since the row was read: read it again
        continue;
      }
      const body = file.createReadStream(range ?? {});
      return { info: objectInfoOf(row), body, ...(range ? { range } : {}) };
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo> {
    this.#checkOpen();
    validateBucketName(bucket);
    validateObjectKey(key);
    const row = this.#catalog.object(bucket, key);
    if (!row) throw this.#missing(bucket, key);
    return objectInfoOf(row);
  }

  async delete(bucket: string, key: string, context?: BucketEventContext): Promise<void> {
    this.#checkOpen();
    validateBucketName(bucket);
    validateObjectKey(key);
    this.#requireBucket(bucket, key);
    await this.#track(this.#remove(bucket, key, context));
  }

  async list(bucket: string, options?: ListObjectsOptions): Promise<ObjectListing> {
    this.#checkOpen();
    validateBucketName(bucket);
    this.#requireBucket(bucket);
    return listObjects(this.#catalog, bucket, options);
  }

  async notificationRules(bucket: string): Promise<NotificationRule[]> {
    this.#checkOpen();
    validateBucketName(bucket);
    this.#requireBucket(bucket);
    return this.#catalog.rules(bucket);
  }

  async setNotificationRules(bucket: string, rules: readonly NotificationRule[]): Promise<void> {
    this.#checkOpen();
    validateBucketName(bucket);
    const valid = validateNotificationRules(rules);
    if (valid.length > 0 && !this.#notifications.enabled) {
      const why = 'this object store has no outbox to send notifications to';
      throw new UnsupportedError(why, { bucket });
    }
    const found = await this.#database.writes.write(() => {
      if (!this.#catalog.bucketExistsWithin(bucket)) return false;
      this.#catalog.setRulesWithin(bucket, valid);
      return true;
    });
    if (!found) throw noSuchBucket(bucket);
  }

  /**
   * Removes temp files and unreferenced blobs older than `graceMs`
   * (default the store's `orphanGraceMs`). Runs once when the store opens.
   */
  async collectGarbage(options: { readonly graceMs?: number } = {}): Promise<GarbageReport> {
    this.#checkOpen();
    return collectGarbage(this.#blobs.root, this.#catalog, {
      graceMs: options.graceMs ?? this.#graceMs,
      busy: (id) => this.#inFlight.has(id),
    });
  }

  /** Waits for the operations in flight; the database stays open (its owner closes it). */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  /** Records a written blob as the object, with its notifications, in one transaction. */
  async #record(info: ObjectInfo, blob: string, context?: BucketEventContext): Promise<ObjectInfo> {
    let outcome: PutOutcome;
    try {
      outcome = await this.#database.writes.write((db): PutOutcome => {
        if (!this.#catalog.bucketExistsWithin(info.bucket)) return 'no-bucket';
        const replaced = this.#catalog.objectWithin(info.bucket, info.key)?.blob;
        this.#catalog.upsertObjectWithin(objectRowOf(info, blob));
        const rules = this.#catalog.rulesWithin(info.bucket);
        this.#notifications.appendWithin(db, rules, 's3:ObjectCreated:Put', info, context);
        return replaced === undefined ? { info } : { info, replaced };
      });
    } catch (error) {
      await this.#blobs.remove(info.bucket, blob);
      throw error;
    }
    if (outcome === 'no-bucket') {
      this.#foundBuckets.delete(info.bucket);
      await this.#blobs.remove(info.bucket, blob);
      throw noSuchBucket(info.bucket, info.key);
    }
    if (outcome.replaced !== undefined) await this.#blobs.remove(info.bucket, outcome.replaced);
    return outcome.info;
  }

  /** Deletes the object's row with its notifications in one transaction, then its blob. */
  async #remove(bucket: string, key: string, context?: BucketEventContext): Promise<void> {
    const removed = await this.#database.writes.write((db) => {
      const row = this.#catalog.objectWithin(bucket, key);
      if (!row) return undefined;
      this.#catalog.deleteObjectWithin(bucket, key);
      const rules = this.#catalog.rulesWithin(bucket);
      this.#notifications.appendWithin(
        db,
        rules,
        's3:ObjectRemoved:Delete',
        objectInfoOf(row),
        context,
      );
      return row.blob;
    });
    if (removed !== undefined) await this.#blobs.remove(bucket, removed);
  }

  #requireBucket(bucket: string, key?: string): void {
    if (!this.#catalog.bucketExists(bucket)) throw noSuchBucket(bucket, key);
  }

  #missing(bucket: string, key: string): NotFoundError {
    if (!this.#catalog.bucketExists(bucket)) return noSuchBucket(bucket, key);
    return new NotFoundError(`no object ${key} in bucket ${bucket}`, {
      kind: 'object',
      bucket,
      key,
      code: 'NoSuchKey',
    });
  }

  #checkOpen(): void {
    if (this.#closed) throw new ClosedError('the object store is closed');
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const untrack = () => this.#running.delete(work);
    work.then(untrack, untrack);
    return work;
  }
}

function noSuchBucket(bucket: string, key?: string): NotFoundError {
  return new NotFoundError(`no bucket ${bucket}`, {
    kind: 'bucket',
    bucket,
    ...(key === undefined ? {} : { key }),
    code: 'NoSuchBucket',
  });
}

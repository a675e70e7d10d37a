import type { BucketEventContext, NotificationRule } from './bucket-notification.ts';

/**
 * The object storage contract (buckets of keyed blobs, as S3 has them).
 * Implemented by the embedded folder store and, on scale-out, S3; the S3
 * endpoint eventyard serves (gateways/s3) works over any implementation.
 * test/conformance/ holds the suite every implementation passes.
 */

export interface ObjectInfo {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** Hex MD5 of the content, without quotes (S3's ETag of a single-part upload). */
  readonly etag: string;
  readonly contentType: string;
  /** User metadata (S3 `x-amz-meta-*`), names lowercase. */
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly lastModified: Date;
}

export type ObjectBody = Uint8Array | AsyncIterable<Uint8Array>;

export interface PutObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly body: ObjectBody;
  /** Default application/octet-stream. */
  readonly contentType?: string;
  readonly userMetadata?: Readonly<Record<string, string>>;
  /** Expected size; a body of another size is refused and nothing is stored. */
  readonly contentLength?: number;
  /** Expected MD5 (base64, as in Content-MD5); a mismatch is refused and nothing is stored. */
  readonly contentMd5?: string;
  /** Who wrote it and from where, for bucket notifications. */
  readonly context?: BucketEventContext;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive; default the last byte of the object. */
  readonly end?: number;
}

export interface StoredObject {
  readonly info: ObjectInfo;
  /** The content, or the requested range of it. Read it once. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The range served, when one was asked for. */
  readonly range?: { readonly start: number; readonly end: number };
}

export interface ListObjectsOptions {
  readonly prefix?: string;
  /** Keys strictly after this one (S3 StartAfter or a continuation token). */
  readonly after?: string;
  /** At most this many items; default 1000, at most 1000. */
  readonly limit?: number;
  /** Group keys by the part after the prefix up to this delimiter (S3 CommonPrefixes). */
  readonly delimiter?: string;
}

export interface ObjectListing {
  /** In key order (UTF-8 byte order, as S3). */
  readonly items: readonly ObjectInfo[];
  readonly commonPrefixes: readonly string[];
  /** Pass as `after` for the next page; undefined on the last page. */
  readonly next?: string;
}

export interface BucketInfo {
  readonly name: string;
  readonly createdAt: Date;
}

export interface ObjectStoreCapabilities {
  /** Engine name: fs, s3. */
  readonly engine: string;
  /** Largest object `put` accepts, in bytes. */
  readonly maxObjectBytes: number;
}

/**
 * Errors: `NotFoundError` (details.kind 'bucket' or 'object') for what does
 * not exist, `ValidationError` for bad names, sizes and digests,
 * `ConflictError` for a bucket that exists or is not empty.
 */
export interface ObjectStore {
  readonly capabilities: ObjectStoreCapabilities;
  /** Creates a bucket; `ConflictError` if it exists. */
  createBucket(name: string): Promise<void>;
  /** Creates a bucket unless it exists. */
  ensureBucket(name: string): Promise<void>;
  /** Deletes an empty bucket. */
  deleteBucket(name: string): Promise<void>;
  listBuckets(): Promise<BucketInfo[]>;
  /** Stores the object atomically: readers see the old or the new one, never a part. */
  put(input: PutObjectInput): Promise<ObjectInfo>;
  get(bucket: string, key: string, options?: { readonly range?: ByteRange }): Promise<StoredObject>;
  head(bucket: string, key: string): Promise<ObjectInfo>;
  /** Deletes the object; deleting what is not there succeeds (as in S3). */
  delete(bucket: string, key: string, context?: BucketEventContext): Promise<void>;
  list(bucket: string, options?: ListObjectsOptions): Promise<ObjectListing>;
  close(): Promise<void>;
}

/**
 * A store that sends bucket notifications itself (the embedded one: in the
 * same transaction as the object's metadata). On S3/MinIO the engine's own
 * notification configuration does this instead.
 */
export interface NotifyingObjectStore extends ObjectStore {
  notificationRules(bucket: string): Promise<NotificationRule[]>;
  /** Replaces the bucket's rules. */
  setNotificationRules(bucket: string, rules: readonly NotificationRule[]): Promise<void>;
}

export function isNotifying(store: ObjectStore): store is NotifyingObjectStore {
  return typeof (store as Partial<NotifyingObjectStore>).setNotificationRules === 'function';
}

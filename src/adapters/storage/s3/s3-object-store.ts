/**
 * The object store contract over S3 (AWS, MinIO, Ceph, s3rver, eventyard's
 * own S3 gateway), through @aws-sdk/client-s3.
 *
 * Names are checked with the core rules before a request is sent, so a
 * name one store refuses is refused by every store. S3's errors become the
 * contract's with the same `details.code` the embedded store uses.
 *
 * A put is one PutObject (see upload-body.ts for how a body of unknown
 * length gets there), so S3's guarantees are the contract's: a reader sees
 * the old or the new object, never a part, and a put that fails stores
 * nothing. The put's `context` is not used: on S3 the engine sends bucket
 * notifications itself (MinIO's notification targets), so this store is not
 * a NotifyingObjectStore.
 */
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type PutObjectCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BucketEventContext } from '../../../core/bucket-notification.ts';
import { ClosedError, ConfigError, EngineError, EventyardError } from '../../../core/errors.ts';
import { validateBucketName, validateObjectKey } from '../../../core/object-names.ts';
import type {
  BucketInfo,
  ByteRange,
  ListObjectsOptions,
  ObjectInfo,
  ObjectListing,
  ObjectStore,
  ObjectStoreCapabilities,
  PutObjectInput,
  StoredObject,
} from '../../../core/object-store.ts';
import { type PutHeaders, putHeadersOf } from './object-headers.ts';
import { objectInfoOf, servedObject } from './s3-answers.ts';
import { S3Buckets } from './s3-buckets.ts';
import { rangeHeaderOf } from './s3-byte-range.ts';
import { createS3Client, type S3ClientOptions } from './s3-client.ts';
import {
  contractErrorOf,
  httpStatusOfS3,
  noSuchKey,
  type S3CallScope,
  s3CodeOf,
} from './s3-errors.ts';
import { listingOf, listRequestOf, unquoteEtag } from './s3-listing.ts';
import type { S3Connection } from './s3-url.ts';
import { prepareUpload, type UploadBody } from './upload-body.ts';

/** S3's largest single PUT. */
export const DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 ** 3;
export const DEFAULT_MEMORY_BUFFER_BYTES = 8 * 1024 ** 2;

export interface S3ObjectStoreOptions extends S3ClientOptions {
  /** Largest object `put` accepts, bytes. Default and upper bound in S3: 5 GiB (one PUT). */
  readonly maxObjectBytes?: number;
  /**
   * A body up to this many bytes is held in memory before it is sent (and
   * can be retried); a longer one of unknown length is spooled to a file,
   * one of declared length streams straight through. Default 8 MiB.
   */
  readonly memoryBufferBytes?: number;
  /** Where bodies of unknown length past `memoryBufferBytes` are spooled. Default the OS temp dir. */
  readonly spoolDirectory?: string;
}

export class S3ObjectStore implements ObjectStore {
  readonly capabilities: ObjectStoreCapabilities;
  /** The endpoint's URL with its secret as `***`. */
  readonly endpoint: string;
  readonly #client: S3Client;
  readonly #buckets: S3Buckets;
  readonly #memoryBytes: number;
  readonly #spoolDirectory: string;
  readonly #running = new Set<Promise<unknown>>();
  #closed = false;

  constructor(connection: S3Connection, options: S3ObjectStoreOptions = {}) {
    this.capabilities = {
      engine: 's3',
      maxObjectBytes: wholeOption(
        'maxObjectBytes',
        options.maxObjectBytes,
        DEFAULT_MAX_OBJECT_BYTES,
      ),
    };
    this.endpoint = connection.display;
    this.#memoryBytes = wholeOption(
      'memoryBufferBytes',
      options.memoryBufferBytes,
      DEFAULT_MEMORY_BUFFER_BYTES,
    );
    this.#spoolDirectory = options.spoolDirectory ?? tmpdir();
    this.#client = createS3Client(connection, options);
    this.#buckets = new S3Buckets(this.#client, connection.region, (operation, work, bucket) =>
      this.#call({ operation, bucket }, work),
    );
  }

  /** Resolves once the endpoint answers with these credentials (ListBuckets); EngineError otherwise. */
  async ready(): Promise<void> {
    await this.listBuckets();
  }

  async createBucket(name: string): Promise<void> {
    this.#checkOpen();
    await this.#buckets.create(validateBucketName(name));
  }

  async ensureBucket(name: string): Promise<void> {
    this.#checkOpen();
    await this.#buckets.ensure(validateBucketName(name));
  }

  async deleteBucket(name: string): Promise<void> {
    this.#checkOpen();
    await this.#buckets.delete(validateBucketName(name));
  }

  async listBuckets(): Promise<BucketInfo[]> {
    this.#checkOpen();
    return this.#buckets.list();
  }

  async put(input: PutObjectInput): Promise<ObjectInfo> {
    this.#checkOpen();
    const bucket = validateBucketName(input.bucket);
    const key = validateObjectKey(input.key);
    const headers = putHeadersOf(input, this.capabilities.maxObjectBytes);
    const scope = this.#scope('PutObject', bucket, key);
    return this.#track(
      (async () => {
        const aborting = new AbortController();
        const body = await prepareUpload(
          input.body,
          {
            maxBytes: this.capabilities.maxObjectBytes,
            contentLength: headers.contentLength,
            contentMd5: headers.contentMd5?.digest,
          },
          {
            memoryBytes: this.#memoryBytes,
            spoolDirectory: this.#spoolDirectory,
            abort: () => aborting.abort(),
          },
        );
        try {
          const etag = await this.#send(bucket, key, headers, body, aborting.signal, scope);
          return await this.#describePut({ bucket, key, size: body.size, etag, headers });
        } finally {
          if (body.kind === 'file') await body.dispose();
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
    const requested = options.range;
    const Range = requested === undefined ? undefined : rangeHeaderOf(requested);
    const output = await this.#call(this.#scope('GetObject', bucket, key), () =>
      this.#client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range })),
    );
    const body = (output.Body ?? Readable.from([])) as Readable;
    try {
      return servedObject(bucket, key, output, body, requested);
    } catch (error) {
      body.destroy();
      throw error;
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo> {
    this.#checkOpen();
    validateBucketName(bucket);
    validateObjectKey(key);
    const scope = this.#scope('HeadObject', bucket, key);
    return this.#call(scope, async () => {
      try {
        const output = await this.#client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return objectInfoOf(bucket, key, output, output.ContentLength ?? 0);
      } catch (error) {
        // A HEAD answer has no body, so S3 cannot say whether the bucket or the key is missing.
        if (httpStatusOfS3(error) !== 404 || s3CodeOf(error) === 'NoSuchBucket') throw error;
        await this.#buckets.require(bucket, key);
        throw noSuchKey(bucket, key, error);
      }
    });
  }

  async delete(bucket: string, key: string, _context?: BucketEventContext): Promise<void> {
    this.#checkOpen();
    validateBucketName(bucket);
    validateObjectKey(key);
    await this.#call(this.#scope('DeleteObject', bucket, key), () =>
      this.#client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })),
    );
  }

  async list(bucket: string, options?: ListObjectsOptions): Promise<ObjectListing> {
    this.#checkOpen();
    validateBucketName(bucket);
    const request = listRequestOf(options);
    const output = await this.#call(this.#scope('ListObjects', bucket), () =>
      this.#client.send(
        new ListObjectsCommand({
          Bucket: bucket,
          Prefix: request.prefix,
          Marker: request.after,
          Delimiter: request.delimiter,
          MaxKeys: request.limit,
        }),
      ),
    );
    return listingOf(bucket, output, request);
  }

  /** Waits for the operations in flight, then closes the connections. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
    this.#client.destroy();
  }

  /** Sends one PutObject with the prepared body; returns the ETag S3 gave it. */
  async #send(
    bucket: string,
    key: string,
    headers: PutHeaders,
    body: UploadBody,
    signal: AbortSignal,
    scope: S3CallScope,
  ): Promise<string> {
    const md5 = body.kind === 'stream' ? headers.contentMd5?.base64 : body.md5.toString('base64');
    const command = new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: bodyOf(body),
      ContentLength: body.size,
      ContentType: headers.contentType,
      ContentMD5: md5,
      Metadata: { ...headers.wireMetadata },
    });
    let output: PutObjectCommandOutput;
    try {
      output = await this.#client.send(command, { abortSignal: signal });
    } catch (error) {
      // A streamed body that failed aborted the request: its own error is the one to report.
      const failure = body.kind === 'stream' ? body.failure() : undefined;
      throw failure ?? contractErrorOf(error, scope);
    }
    const etag = unquoteEtag(output.ETag);
    const sent = body.kind === 'stream' ? body.md5() : body.md5;
    // An ETag that is an MD5 (not SSE-KMS's or a multipart one) must be the MD5 of what was sent.
    if (sent !== undefined && /^[0-9a-f]{32}$/.test(etag) && etag !== sent.toString('hex')) {
      throw new EngineError(`S3 stored ${bucket}/${key} with an ETag that is not the MD5 sent`, {
        bucket,
        key,
        etag,
        md5: sent.toString('hex'),
      });
    }
    return etag;
  }

  /**
   * The stored object's info, as `head` will give it (S3's Last-Modified
   * has whole seconds and only S3 knows it): a HEAD conditional on the ETag.
   * If another put replaced the object meanwhile, the info is built here.
   */
  async #describePut(put: {
    bucket: string;
    key: string;
    size: number;
    etag: string;
    headers: PutHeaders;
  }): Promise<ObjectInfo> {
    const { bucket, key, size, etag, headers } = put;
    const built: ObjectInfo = {
      bucket,
      key,
      size,
      etag,
      contentType: headers.contentType,
      userMetadata: headers.userMetadata,
      lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
    };
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, IfMatch: `"${etag}"` }),
      );
      const seen = objectInfoOf(bucket, key, output, output.ContentLength ?? 0);
      return sameVersion(seen, built) ? seen : built;
    } catch {
      return built;
    }
  }

  #scope(operation: string, bucket: string, key?: string): S3CallScope {
    return { operation, bucket, ...(key === undefined ? {} : { key }), endpoint: this.endpoint };
  }

  /** Runs one S3 call, tracked for close, with its errors as the contract's. */
  #call<T>(scope: Omit<S3CallScope, 'endpoint'>, work: () => Promise<T>): Promise<T> {
    const full = { ...scope, endpoint: this.endpoint };
    return this.#track(
      work().catch((error: unknown) => {
        throw isContractError(error) ? error : contractErrorOf(error, full);
      }),
    );
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

function sameVersion(seen: ObjectInfo, put: ObjectInfo): boolean {
  const metadata = (info: ObjectInfo) => JSON.stringify(Object.entries(info.userMetadata).sort());
  return (
    seen.etag === put.etag &&
    seen.size === put.size &&
    seen.contentType === put.contentType &&
    metadata(seen) === metadata(put)
  );
}

function bodyOf(body: UploadBody): Uint8Array | Readable {
  if (body.kind === 'bytes') return body.bytes;
  if (body.kind === 'file') return createReadStream(body.path);
  return body.stream;
}

function isContractError(error: unknown): boolean {
  return error instanceof EventyardError;
}

function wholeOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(`${name} must be a whole number of bytes, got ${value}`, { path: name });
  }
  return value;
}

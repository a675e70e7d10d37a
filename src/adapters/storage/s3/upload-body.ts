/**
 * A put's body, made ready for one PutObject. S3 needs the length before
 * the first byte, and the contract promises that the ETag is the MD5 of
 * the content, which only a single-part upload gives (a multipart ETag is
 * an MD5 of MD5s). So every body goes up in one PUT, in one of three forms:
 *
 * - `bytes`: a Uint8Array body, or an iterable one that ended within
 *   `memoryBytes`, held in memory. Size, Content-Length and Content-MD5
 *   are checked before anything is sent, and the SDK can retry it.
 * - `file`: an iterable body of unknown length past `memoryBytes`, spooled
 *   to a temp file while its MD5 is computed, then checked, then sent.
 * - `stream`: an iterable body with a declared `contentLength` past
 *   `memoryBytes`, streamed straight through. S3 stores nothing of a PUT
 *   that does not complete, so a body that runs short or long is refused by
 *   aborting the request; the last chunk is held back until the source has
 *   ended, so an over-long body never completes the PUT.
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ValidationError } from '../../../core/errors.ts';
import { badDigest, incompleteBody, objectTooLarge } from '../../../core/object-input.ts';
import type { ObjectBody } from '../../../core/object-store.ts';

export interface UploadLimits {
  readonly maxBytes: number;
  /** The body must be exactly this long. */
  readonly contentLength?: number;
  /** The body's MD5 must be this one. */
  readonly contentMd5?: Buffer;
}

export interface UploadOptions {
  /** Bodies up to this many bytes are held in memory. */
  readonly memoryBytes: number;
  /** Where longer bodies of unknown length are spooled. */
  readonly spoolDirectory: string;
  /** Called when a streamed body fails, so the request carrying it is aborted. */
  readonly abort: () => void;
}

export type UploadBody =
  | {
      readonly kind: 'bytes';
      readonly bytes: Uint8Array;
      readonly size: number;
      readonly md5: Buffer;
    }
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly size: number;
      readonly md5: Buffer;
      dispose(): Promise<void>;
    }
  | {
      readonly kind: 'stream';
      readonly stream: Readable;
      readonly size: number;
      /** The MD5 once the stream has ended, undefined before. */
      md5(): Buffer | undefined;
      /** What made the stream fail (the contract's error, or the source's own). */
      failure(): unknown;
    };

export async function prepareUpload(
  body: ObjectBody,
  limits: UploadLimits,
  options: UploadOptions,
): Promise<UploadBody> {
  if (body instanceof Uint8Array) {
    const md5 = createHash('md5').update(body).digest();
    checkComplete(body.byteLength, md5, limits);
    return { kind: 'bytes', bytes: body, size: body.byteLength, md5 };
  }
  if (limits.contentLength !== undefined && limits.contentLength > options.memoryBytes) {
    return streamed(body, limits.contentLength, options.abort);
  }
  return collected(body, limits, options);
}

/** Reads the whole body into memory, or past `memoryBytes` into a spool file. */
async function collected(
  body: AsyncIterable<Uint8Array>,
  limits: UploadLimits,
  options: UploadOptions,
): Promise<UploadBody> {
  const hash = createHash('md5');
  const max = Math.min(limits.maxBytes, limits.contentLength ?? Number.POSITIVE_INFINITY);
  let chunks: Uint8Array[] = [];
  let spool: SpoolFile | undefined;
  let size = 0;
  try {
    for await (const chunk of body) {
      size += bytesOf(chunk).byteLength;
      if (size > max) throw overLimit(size, limits);
      hash.update(chunk);
      if (spool) {
        await spool.write(chunk);
      } else {
        chunks.push(chunk);
        if (size > options.memoryBytes) {
          spool = await SpoolFile.create(options.spoolDirectory);
          for (const held of chunks) await spool.write(held);
          chunks = [];
        }
      }
    }
    const md5 = hash.digest();
    checkComplete(size, md5, limits);
    if (!spool) return { kind: 'bytes', bytes: Buffer.concat(chunks, size), size, md5 };
    await spool.finish();
    const file = spool;
    return { kind: 'file', path: file.path, size, md5, dispose: () => file.remove() };
  } catch (error) {
    await spool?.remove();
    throw error;
  }
}

function streamed(
  source: AsyncIterable<Uint8Array>,
  contentLength: number,
  abort: () => void,
): UploadBody {
  const hash = createHash('md5');
  let md5: Buffer | undefined;
  let failure: unknown;
  async function* guarded(): AsyncGenerator<Uint8Array> {
    try {
      yield* exactly(source, contentLength, hash);
      md5 = hash.digest();
    } catch (error) {
      failure = error;
      abort();
      throw error;
    }
  }
  return {
    kind: 'stream',
    stream: Readable.from(guarded(), { objectMode: false }),
    size: contentLength,
    md5: () => md5,
    failure: () => failure,
  };
}

/** The source's bytes, refused unless exactly `length`; the last chunk waits for the source's end. */
async function* exactly(
  source: AsyncIterable<Uint8Array>,
  length: number,
  hash: Hash,
): AsyncGenerator<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    let size = 0;
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      const chunk = bytesOf(next.value);
      size += chunk.byteLength;
      if (size > length) throw longerThan(length);
      hash.update(chunk);
      if (size < length) {
        yield chunk;
        continue;
      }
      finished = await endsNow(chunks);
      if (!finished) throw longerThan(length);
      yield chunk;
      return;
    }
    finished = true;
    if (size !== length) {
      throw incompleteBody(`the body is ${size} bytes, not the ${length} of its Content-Length`);
    }
  } finally {
    if (!finished) await chunks.return?.();
  }
}

/** Whether the source has nothing more (empty chunks aside). */
async function endsNow(chunks: AsyncIterator<Uint8Array>): Promise<boolean> {
  for (;;) {
    const next = await chunks.next();
    if (next.done) return true;
    if (bytesOf(next.value).byteLength > 0) return false;
  }
}

function longerThan(length: number): ValidationError {
  return incompleteBody(`the body is longer than its Content-Length ${length}`);
}

function bytesOf(chunk: unknown): Uint8Array {
  if (!(chunk instanceof Uint8Array)) {
    throw new ValidationError('an object body must yield bytes (Uint8Array)', { path: 'body' });
  }
  return chunk;
}

function overLimit(size: number, limits: UploadLimits): ValidationError {
  if (size > limits.maxBytes) return objectTooLarge(limits.maxBytes);
  return incompleteBody(`the body is longer than its Content-Length ${limits.contentLength}`);
}

function checkComplete(size: number, md5: Buffer, limits: UploadLimits): void {
  if (size > limits.maxBytes) throw objectTooLarge(limits.maxBytes);
  if (limits.contentLength !== undefined && size !== limits.contentLength) {
    throw incompleteBody(
      `the body is ${size} bytes, not the ${limits.contentLength} of its Content-Length`,
    );
  }
  if (limits.contentMd5 !== undefined && !md5.equals(limits.contentMd5)) throw badDigest();
}

/** A temp file only this process reads, removed once the PUT is done. */
class SpoolFile {
  readonly path: string;
  readonly #file: FileHandle;
  #open = true;

  private constructor(path: string, file: FileHandle) {
    this.path = path;
    this.#file = file;
  }

  static async create(directory: string): Promise<SpoolFile> {
    const path = join(directory, `eventyard-s3-upload-${randomUUID()}`);
    return new SpoolFile(path, await open(path, 'wx', 0o600));
  }

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await this.#file.write(chunk, offset, chunk.byteLength - offset);
      offset += bytesWritten;
    }
  }

  async finish(): Promise<void> {
    this.#open = false;
    await this.#file.close();
  }

  async remove(): Promise<void> {
    if (this.#open) {
      this.#open = false;
      await this.#file.close().catch(() => {});
    }
    await unlink(this.path).catch(() => {});
  }
}

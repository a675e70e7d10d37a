/**
 * Streams an object body into a new file while computing its MD5 and
 * size, and enforces the limits as the bytes arrive: a body past the size
 * limit is refused at the first byte too many, not after it was stored.
 * On any failure the file is removed; on success it is fsynced (if asked).
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { ValidationError } from '../../../core/errors.ts';
import { badDigest, incompleteBody, objectTooLarge } from '../../../core/object-input.ts';
import type { ObjectBody } from '../../../core/object-store.ts';

export interface BlobLimits {
  readonly maxBytes: number;
  /** The body must be exactly this long. */
  readonly contentLength?: number;
  /** The body's MD5 must be this one. */
  readonly contentMd5?: Buffer;
}

export interface WrittenBlob {
  readonly size: number;
  readonly md5: Buffer;
}

export async function writeBlob(
  path: string,
  body: ObjectBody,
  limits: BlobLimits,
  /** fsync the file before closing it. */
  sync: boolean,
): Promise<WrittenBlob> {
  const file = await open(path, 'wx');
  try {
    const written = await writeChunks(file, body, limits);
    checkWritten(written, limits);
    if (sync) await file.sync();
    await file.close();
    return written;
  } catch (error) {
    await file.close().catch(() => {});
    await unlink(path).catch(() => {});
    throw error;
  }
}

async function writeChunks(
  file: FileHandle,
  body: ObjectBody,
  limits: BlobLimits,
): Promise<WrittenBlob> {
  const hash = createHash('md5');
  const max = Math.min(limits.maxBytes, limits.contentLength ?? Number.POSITIVE_INFINITY);
  let size = 0;
  const chunks = body instanceof Uint8Array ? [body] : body;
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) {
      throw new ValidationError('an object body must yield bytes (Uint8Array)', { path: 'body' });
    }
    size += chunk.byteLength;
    if (size > max) {
      if (size > limits.maxBytes) throw objectTooLarge(limits.maxBytes);
      throw incompleteBody(`the body is longer than its Content-Length ${limits.contentLength}`);
    }
    hash.update(chunk);
    await writeFully(file, chunk);
  }
  return { size, md5: hash.digest() };
}

function checkWritten(written: WrittenBlob, limits: BlobLimits): void {
  if (limits.contentLength !== undefined && written.size !== limits.contentLength) {
    throw incompleteBody(
      `the body is ${written.size} bytes, not the ${limits.contentLength} of its Content-Length`,
    );
  }
  if (limits.contentMd5 !== undefined && !written.md5.equals(limits.contentMd5)) {
    throw badDigest();
  }
}

async function writeFully(file: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}

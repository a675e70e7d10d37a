/**
 * Where the embedded store keeps object content: one immutable file per
 * version of an object, `<root>/<bucket>/<2 hex>/<uuid>`, named by a fresh
 * id rather than by the key, so a key never becomes a path and a new
 * version never overwrites a file a reader may have open.
 *
 * A body is written straight to its file, created for the put alone
 * (`wx`): a file is read only through the row that names it, and the row
 * commits after the file is whole, so no reader ever sees one half
 * written. What a crash leaves half written has no row, and garbage
 * collection removes it like any orphan. (Earlier versions wrote to
 * `<root>/.tmp/<uuid>.part` and renamed: one more file operation per put,
 * a round trip to libuv's pool that cost the jobs API a tenth of its
 * request time on a 2-core machine. Collection still clears that folder.)
 */
import { type FileHandle, mkdir, open, readdir, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ObjectBody } from '../../../core/object-store.ts';
import { type BlobLimits, type WrittenBlob, writeBlob } from './blob-writer.ts';

/** Temp files of earlier versions; bucket names never start with a dot, so it is no bucket's folder. */
export const TEMP_FOLDER = '.tmp';
export const TEMP_SUFFIX = '.part';
export const BLOB_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class BlobFiles {
  readonly root: string;
  /**
   * Folders known to exist, so a put skips its mkdir calls (two syscalls
   * each); a folder removed meanwhile shows as ENOENT and is made again.
   */
  readonly #folders = new Set<string>();

  constructor(
    root: string,
    /**
     * fsync blobs and their folders: as the database's commits are
     * (EVENTYARD_FSYNC), so an object's content is exactly as durable as the
     * row that names it. Without it a put survives a process crash (the
     * page cache keeps it), not a power loss, like the row.
     */
    readonly sync: boolean,
  ) {
    this.root = root;
  }

  blobPath(bucket: string, blob: string): string {
    return join(this.root, bucket, blob.slice(0, 2), blob);
  }

  /**
   * Writes the body of put `id` to its blob file in `bucket` (fsynced with
   * its folder when `sync`); nothing is left behind if it fails.
   */
  async write(
    id: string,
    bucket: string,
    body: ObjectBody,
    limits: BlobLimits,
  ): Promise<WrittenBlob> {
    const path = this.blobPath(bucket, id);
    const folder = dirname(path);
    for (let attempt = 0; ; attempt++) {
      const created = this.#folders.has(folder)
        ? undefined
        : await mkdir(folder, { recursive: true });
      this.#folders.add(folder);
      let written: WrittenBlob;
      try {
        written = await writeBlob(path, body, limits, this.sync);
      } catch (error) {
        // A deleteBucket of this bucket may have removed the empty folder meanwhile. Only then:
        // a body that fails with ENOENT of its own is partly read and cannot be written again.
        const folderGone = codeOf(error) === 'ENOENT' && (error as { path?: string }).path === path;
        if (!folderGone) throw error;
        this.#folders.delete(folder);
        if (attempt < 3) continue;
        throw error;
      }
      if (this.sync) {
        await syncFolder(folder);
        if (created !== undefined) {
          await syncFolder(dirname(folder));
          await syncFolder(this.root);
        }
      }
      return written;
    }
  }

  /** Opens a blob for reading; undefined when it is gone (replaced or deleted meanwhile). */
  async open(bucket: string, blob: string): Promise<FileHandle | undefined> {
    try {
      return await open(this.blobPath(bucket, blob), 'r');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Removes a blob no row refers to any more; what cannot be removed now, GC removes later. */
  async remove(bucket: string, blob: string): Promise<void> {
    await unlink(this.blobPath(bucket, blob)).catch(() => {});
  }

  /** Removes a deleted bucket's folder where it is empty (GC owns whatever is left in it). */
  async removeBucketFolder(bucket: string): Promise<void> {
    const folder = join(this.root, bucket);
    for (const known of this.#folders) if (dirname(known) === folder) this.#folders.delete(known);
    const entries = await readdir(folder).catch(() => [] as string[]);
    for (const entry of entries) await rmdir(join(folder, entry)).catch(() => {});
    await rmdir(folder).catch(() => {});
  }
}

export function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** fsync a folder, so a rename or a new entry in it survives power loss. */
async function syncFolder(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

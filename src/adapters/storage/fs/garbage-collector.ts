/**
 * Removes what a crash or a lost race leaves in the blob folders: temp
 * files of puts that never finished, and blobs no metadata row refers to
 * (a put killed between its rename and its commit, a replaced or deleted
 * object whose blob was not unlinked yet). Files younger than the grace
 * period are left alone: they may belong to a put of another process
 * that is about to commit.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOB_NAME, codeOf, TEMP_FOLDER, TEMP_SUFFIX } from './blob-files.ts';
import type { ObjectCatalog } from './object-catalog.ts';

export interface GarbageReport {
  readonly orphanBlobs: number;
  readonly tempFiles: number;
}

export interface GarbageOptions {
  /** Leave files younger than this alone, ms. */
  readonly graceMs: number;
  /** Ids of puts in flight in this process, whose files are never garbage. */
  readonly busy: (id: string) => boolean;
  readonly now?: number;
}

export async function collectGarbage(
  root: string,
  catalog: ObjectCatalog,
  options: GarbageOptions,
): Promise<GarbageReport> {
  const { graceMs, busy, now = Date.now() } = options;
  const old = async (path: string) => {
    const info = await stat(path).catch(() => undefined);
    return info?.isFile() === true && now - info.mtimeMs >= graceMs;
  };
  let tempFiles = 0;
  for (const name of await entriesOf(root, TEMP_FOLDER)) {
    const path = join(root, TEMP_FOLDER, name);
    if (!name.endsWith(TEMP_SUFFIX) || busy(name.slice(0, -TEMP_SUFFIX.length))) continue;
    if ((await old(path)) && (await removed(path))) tempFiles++;
  }
  let orphanBlobs = 0;
  for (const bucket of await entriesOf(root)) {
    if (bucket === TEMP_FOLDER) continue;
    for (const shard of await entriesOf(root, bucket)) {
      for (const blob of await entriesOf(root, bucket, shard)) {
        const path = join(root, bucket, shard, blob);
        if (!BLOB_NAME.test(blob) || busy(blob) || !(await old(path))) continue;
        // Checked last, after the age: a blob old enough is past any commit in flight.
        if (!catalog.blobReferenced(blob) && (await removed(path))) orphanBlobs++;
      }
    }
  }
  return { orphanBlobs, tempFiles };
}

async function entriesOf(...path: string[]): Promise<string[]> {
  try {
    return await readdir(join(...path));
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return [];
    throw error;
  }
}

async function removed(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false;
    throw error;
  }
}

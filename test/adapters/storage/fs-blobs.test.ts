/**
 * The embedded store's blob folder: one file per stored object, nothing
 * left behind by replaced, deleted or failed writes, and garbage
 * collection of what a crash leaves.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_MAX_OBJECT_BYTES } from '../../../src/adapters/storage/fs/fs-object-store.ts';
import { type NotFoundError, ValidationError } from '../../../src/core/errors.ts';
import { uniqueName } from '../../support/names.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { type FsEngine, openFsEngine } from './fixtures/fs-engine.ts';

function engine(t: { after: (fn: () => Promise<void> | void) => void }): {
  e: FsEngine;
  dir: string;
} {
  const dir = tempDir('eventyard-fs-blobs-');
  const e = openFsEngine(dir.path);
  t.after(async () => {
    await e.close();
    dir.remove();
  });
  return { e, dir: dir.path };
}

/** Files under the folder, relative to it. */
function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

const BLOB = /^[0-9a-f]{2}\/[0-9a-f-]{36}$/;

test('the store says it is fs, with S3’s 5 GiB single-put limit by default', (t) => {
  const { e } = engine(t);
  assert.deepEqual(e.store.capabilities, {
    engine: 'fs',
    maxObjectBytes: DEFAULT_MAX_OBJECT_BYTES,
  });
  assert.equal(DEFAULT_MAX_OBJECT_BYTES, 5 * 1024 ** 3);
});

test('each object is one blob file named by id, never by key; replaced and deleted blobs go', async (t) => {
  const { e } = engine(t);
  const bucket = uniqueName('blobs');
  await e.store.createBucket(bucket);
  await e.store.put({ bucket, key: '..x/..y?/etc/passwd', body: Buffer.from('one') });
  await e.store.put({ bucket, key: 'b', body: Buffer.from('two') });
  const folder = join(e.root, bucket);
  const first = filesUnder(folder);
  assert.equal(first.length, 2);
  for (const file of first) assert.match(file, BLOB);
  assert.deepEqual(
    filesUnder(e.root).filter((f) => !f.startsWith(`${bucket}/`)),
    [],
    'no file outside the bucket folder',
  );

  await e.store.put({ bucket, key: 'b', body: Buffer.from('two, again') });
  const afterOverwrite = filesUnder(folder);
  assert.equal(afterOverwrite.length, 2, 'the replaced blob is removed');
  assert.notDeepEqual(afterOverwrite, first, 'the new version has a new blob');

  await e.store.delete(bucket, 'b');
  await e.store.delete(bucket, '..x/..y?/etc/passwd');
  assert.deepEqual(filesUnder(folder), []);
  await e.store.deleteBucket(bucket);
  assert.ok(!existsSync(folder), 'the deleted bucket’s folder is removed');
});

test('refused and failed puts leave no temp file or blob', async (t) => {
  const { e } = engine(t);
  const bucket = uniqueName('refused');
  await e.store.createBucket(bucket);
  await assert.rejects(
    e.store.put({ bucket, key: 'k', body: Buffer.from('abc'), contentLength: 4 }),
    ValidationError,
  );
  async function* broken() {
    yield Buffer.from('partial');
    throw new Error('socket closed');
  }
  await assert.rejects(e.store.put({ bucket, key: 'k', body: broken() }), /socket closed/);
  await e.store.deleteBucket(bucket);
  await assert.rejects(e.store.put({ bucket, key: 'k', body: Buffer.from('late') }));
  assert.deepEqual(filesUnder(e.root), []);
});

test('a put whose blob folder was removed meanwhile makes it again', async (t) => {
  const { e } = engine(t);
  const bucket = uniqueName('folders');
  await e.store.createBucket(bucket);
  // Enough puts that most of the 256 shard folders are known to exist...
  const put = (key: string) => e.store.put({ bucket, key, body: Buffer.from(key) });
  for (let i = 0; i < 300; i++) await put(`before-${i}`);
  for (let i = 0; i < 300; i++) await e.store.delete(bucket, `before-${i}`);
  // ...then gone, as a deleteBucket (of this or another process) leaves them.
  rmSync(join(e.root, bucket), { recursive: true });
  for (let i = 0; i < 100; i++) await put(`after-${i}`);
  const after = filesUnder(join(e.root, bucket));
  assert.equal(after.length, 100);
  assert.ok(after.every((path) => BLOB.test(path)));
  assert.equal((await e.store.head(bucket, 'after-99')).size, 'after-99'.length);
});

test('a bucket another process deleted refuses the next put, which leaves no blob', async (t) => {
  const dir = tempDir('eventyard-fs-two-');
  // Two processes on one data dir: each store its own database connection.
  const first = openFsEngine(dir.path);
  const second = openFsEngine(dir.path);
  t.after(async () => {
    await first.close();
    await second.close();
    dir.remove();
  });
  const bucket = uniqueName('gone');
  await first.store.createBucket(bucket);
  await first.store.put({ bucket, key: 'a', body: Buffer.from('first') });
  await second.store.delete(bucket, 'a');
  await second.store.deleteBucket(bucket);
  await assert.rejects(
    first.store.put({ bucket, key: 'b', body: Buffer.from('late') }),
    (error: NotFoundError) => error.details.code === 'NoSuchBucket',
  );
  assert.deepEqual(filesUnder(join(first.root, bucket)), []);
  await first.store.createBucket(bucket);
  await first.store.put({ bucket, key: 'c', body: Buffer.from('again') });
  assert.equal((await second.store.head(bucket, 'c')).size, 5);
});

test('garbage collection removes old orphan blobs and temp files, and nothing else', async (t) => {
  const { e } = engine(t);
  const bucket = uniqueName('gc');
  await e.store.createBucket(bucket);
  const kept = await e.store.put({ bucket, key: 'kept', body: Buffer.from('still readable') });
  const orphan = randomUUID();
  mkdirSync(join(e.root, bucket, orphan.slice(0, 2)), { recursive: true });
  const orphanPath = join(e.root, bucket, orphan.slice(0, 2), orphan);
  writeFileSync(orphanPath, 'a blob whose commit never happened');
  // As an earlier version, which wrote to a temp file and renamed it, could leave one.
  const tempPath = join(e.root, '.tmp', `${randomUUID()}.part`);
  mkdirSync(join(e.root, '.tmp'), { recursive: true });
  writeFileSync(tempPath, 'half a body');
  const foreign = join(e.root, bucket, 'not-a-blob.txt');
  writeFileSync(foreign, 'not ours');

  // Fresh files may belong to a put about to commit: left alone.
  assert.deepEqual(await e.store.collectGarbage(), { orphanBlobs: 0, tempFiles: 0 });
  assert.ok(existsSync(orphanPath) && existsSync(tempPath));

  const old = new Date(Date.now() - 120_000);
  for (const path of [orphanPath, tempPath]) utimesSync(path, old, old);
  assert.deepEqual(await e.store.collectGarbage(), { orphanBlobs: 1, tempFiles: 1 });
  assert.ok(!existsSync(orphanPath) && !existsSync(tempPath));
  assert.ok(existsSync(foreign), 'files that are not blobs are not touched');
  const body = (await e.store.get(bucket, 'kept')).body;
  let text = '';
  for await (const chunk of body) text += Buffer.from(chunk).toString();
  assert.equal(text, 'still readable');
  assert.equal((await e.store.head(bucket, 'kept')).etag, kept.etag);
});

test('opening the store collects garbage left by an earlier process', async (t) => {
  const dir = tempDir('eventyard-fs-gc-open-');
  t.after(() => dir.remove());
  const first = openFsEngine(dir.path);
  const bucket = uniqueName('gc-open');
  await first.store.createBucket(bucket);
  await first.store.put({ bucket, key: 'kept', body: Buffer.from('x') });
  await first.close();
  const orphan = randomUUID();
  const orphanPath = join(first.root, bucket, orphan.slice(0, 2), orphan);
  mkdirSync(join(orphanPath, '..'), { recursive: true });
  writeFileSync(orphanPath, 'orphan');
  const tempPath = join(first.root, '.tmp', `${randomUUID()}.part`);
  mkdirSync(join(first.root, '.tmp'), { recursive: true });
  writeFileSync(tempPath, 'temp');
  const old = new Date(Date.now() - 120_000);
  for (const path of [orphanPath, tempPath]) utimesSync(path, old, old);

  const second = openFsEngine(dir.path);
  await second.close(); // waits for the collection started at open
  assert.ok(!existsSync(orphanPath), 'the orphan blob is gone');
  assert.ok(!existsSync(tempPath), 'the temp file is gone');
  assert.equal(filesUnder(join(first.root, bucket)).length, 1, 'the stored object’s blob stays');
});

test('reads do not wait for the write lock', async (t) => {
  const { e } = engine(t);
  const bucket = uniqueName('reads');
  await e.store.createBucket(bucket);
  await e.store.put({ bucket, key: 'k', body: Buffer.from('content') });
  await e.database.lock.acquire(); // as a long unit of work would
  try {
    const within = async <T>(work: Promise<T>): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      const blocked = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the read waited for the write lock')), 5_000);
      });
      try {
        return await Promise.race([work, blocked]);
      } finally {
        clearTimeout(timer);
      }
    };
    assert.equal((await within(e.store.head(bucket, 'k'))).size, 7);
    assert.equal((await within(e.store.list(bucket))).items.length, 1);
    const got = await within(e.store.get(bucket, 'k'));
    let text = '';
    for await (const chunk of got.body) text += Buffer.from(chunk).toString();
    assert.equal(text, 'content');
    assert.equal(
      (await within(e.store.listBuckets())).some((b) => b.name === bucket),
      true,
    );
  } finally {
    e.database.lock.release();
  }
});

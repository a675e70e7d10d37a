import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ListObjectsOptions, ObjectStore } from '../../../src/core/object-store.ts';
import type { SuiteContext } from './suite-context.ts';

/** S3's order: by UTF-8 bytes (not JavaScript's UTF-16 order). */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function putKeys(store: ObjectStore, bucket: string, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 100) {
    await Promise.all(
      keys.slice(i, i + 100).map((key) => store.put({ bucket, key, body: Buffer.from(key) })),
    );
  }
}

/** Every page of a listing, following `next`. */
async function pages(store: ObjectStore, bucket: string, options: ListObjectsOptions = {}) {
  const out = [];
  let after = options.after;
  for (let n = 0; n < 10_000; n++) {
    const page = await store.list(bucket, { ...options, after });
    out.push(page);
    if (page.next === undefined) return out;
    after = page.next;
  }
  throw new Error('the listing never ended');
}

export function listingContract(ctx: SuiteContext): void {
  test('keys are listed in UTF-8 byte order, with their size and ETag', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    // UTF-16 order puts U+1F600 (a surrogate pair) before U+FF5E; UTF-8 order after it.
    const keys = ['b', 'B', 'a/b', 'a', 'a-b', '\u00e9', '\uff5e', '\u{1f600}', 'z', 'Z0'];
    await putKeys(store, b, keys);
    const listing = await store.list(b);
    assert.deepEqual(
      listing.items.map((i) => i.key),
      [...keys].sort(byUtf8),
    );
    assert.deepEqual(listing.commonPrefixes, []);
    assert.equal(listing.next, undefined);
    const a = listing.items.find((i) => i.key === 'a')!;
    assert.equal(a.size, 1);
    assert.equal(a.etag, '0cc175b9c0f1b6a831c399e269772661');
  });

  test('prefix, after (exclusive) and limit; next is undefined on the last page', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    await putKeys(store, b, ['img/1', 'img/2', 'img/3', 'img/4', 'imgx', 'im', 'video/1']);
    const keys = async (options: ListObjectsOptions) =>
      (await store.list(b, options)).items.map((i) => i.key);
    assert.deepEqual(await keys({ prefix: 'img/' }), ['img/1', 'img/2', 'img/3', 'img/4']);
    assert.deepEqual(await keys({ prefix: 'img' }), ['img/1', 'img/2', 'img/3', 'img/4', 'imgx']);
    assert.deepEqual(await keys({ prefix: 'nothing' }), []);
    assert.deepEqual(await keys({ after: 'img/2' }), ['img/3', 'img/4', 'imgx', 'video/1']);
    assert.deepEqual(await keys({ after: 'img/25' }), ['img/3', 'img/4', 'imgx', 'video/1']);
    assert.deepEqual(await keys({ prefix: 'img/', after: 'a' }), [
      'img/1',
      'img/2',
      'img/3',
      'img/4',
    ]);
    assert.deepEqual(await keys({ prefix: 'img/', after: 'img/3' }), ['img/4']);
    assert.deepEqual(await keys({ prefix: 'img/', after: 'zzz' }), []);
    const first = await store.list(b, { prefix: 'img/', limit: 2 });
    assert.deepEqual(
      first.items.map((i) => i.key),
      ['img/1', 'img/2'],
    );
    assert.equal(first.next, 'img/2');
    const second = await store.list(b, { prefix: 'img/', limit: 2, after: first.next });
    assert.deepEqual(
      second.items.map((i) => i.key),
      ['img/3', 'img/4'],
    );
    assert.equal(second.next, undefined, 'an exactly full last page has no next');
  });

  test('pagination through 2,500 keys returns each key once, in order', {
    timeout: 120_000,
  }, async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket('many');
    const keys = Array.from({ length: 2500 }, (_, i) => `k/${(i * 7919) % 2500}`);
    await putKeys(store, b, keys);
    const all = await pages(store, b);
    assert.deepEqual(
      all.map((p) => p.items.length),
      [1000, 1000, 500],
    );
    assert.deepEqual(
      all.flatMap((p) => p.items.map((i) => i.key)),
      [...keys].sort(byUtf8),
    );
    const capped = await store.list(b, { limit: 5000 });
    assert.equal(capped.items.length, 1000, 'a limit above 1000 is capped at 1000');
    const small = await pages(store, b, { prefix: 'k/1', limit: 97 });
    const expected = keys.filter((k) => k.startsWith('k/1')).sort(byUtf8);
    assert.deepEqual(
      small.flatMap((p) => p.items.map((i) => i.key)),
      expected,
    );
    assert.equal(small.length, Math.ceil(expected.length / 97));
  });

  test('a delimiter rolls keys up into common prefixes', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    await putKeys(store, b, [
      'photos/2024/a.jpg',
      'photos/2024/b.jpg',
      'photos/2025/c.jpg',
      'photos/top.jpg',
      'readme',
      'videos/x.mp4',
      'videos/y/z.mp4',
    ]);
    const root = await store.list(b, { delimiter: '/' });
    assert.deepEqual(
      root.items.map((i) => i.key),
      ['readme'],
    );
    assert.deepEqual(root.commonPrefixes, ['photos/', 'videos/']);
    assert.equal(root.next, undefined);
    const photos = await store.list(b, { delimiter: '/', prefix: 'photos/' });
    assert.deepEqual(
      photos.items.map((i) => i.key),
      ['photos/top.jpg'],
    );
    assert.deepEqual(photos.commonPrefixes, ['photos/2024/', 'photos/2025/']);
    const byYear = await store.list(b, { delimiter: '/', prefix: 'photos/20' });
    assert.deepEqual(byYear.commonPrefixes, ['photos/2024/', 'photos/2025/']);
    const multi = await store.list(b, { delimiter: '.jpg', prefix: 'photos/' });
    assert.deepEqual(multi.commonPrefixes, [
      'photos/2024/a.jpg',
      'photos/2024/b.jpg',
      'photos/2025/c.jpg',
      'photos/top.jpg',
    ]);
    assert.deepEqual(multi.items, []);
  });

  test('common prefixes count toward the limit, and next continues past them', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const keys = ['a/1', 'a/2', 'a/3', 'b', 'c/1', 'c/2/x', 'd', 'e/1'];
    await putKeys(store, b, keys);
    for (const limit of [1, 2, 3, 1000]) {
      const all = await pages(store, b, { delimiter: '/', limit });
      const entries = all.flatMap((p) => [
        ...p.items.map((i) => i.key),
        ...p.commonPrefixes.map((c) => `prefix:${c}`),
      ]);
      for (const p of all.slice(0, -1)) {
        assert.equal(
          p.items.length + p.commonPrefixes.length,
          limit,
          `limit ${limit}: a full page`,
        );
      }
      assert.deepEqual(
        entries.sort(),
        ['b', 'd', 'prefix:a/', 'prefix:c/', 'prefix:e/'],
        `limit ${limit}: every key or prefix exactly once`,
      );
    }
  });

  test('an empty bucket lists nothing', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    assert.deepEqual(await store.list(b), { items: [], commonPrefixes: [] });
    assert.deepEqual(await store.list(b, { delimiter: '/', prefix: 'x/' }), {
      items: [],
      commonPrefixes: [],
    });
  });
}

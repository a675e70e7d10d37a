import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFoundError, ValidationError } from '../../../src/core/errors.ts';
import type { ObjectStore } from '../../../src/core/object-store.ts';
import {
  bytes,
  chunked,
  failsWith,
  md5Base64,
  md5Hex,
  readAll,
  type SuiteContext,
} from './suite-context.ts';

const LIMIT = 1024;

async function assertAbsent(store: ObjectStore, bucket: string, key: string): Promise<void> {
  await assert.rejects(store.head(bucket, key), failsWith(NotFoundError, { kind: 'object' }));
}

export function limitsContract(ctx: SuiteContext): void {
  test('a body over the size limit is refused (EntityTooLarge) and nothing is stored', async (t) => {
    const { store, bucket } = await ctx.open(t, { maxObjectBytes: LIMIT });
    assert.equal(store.capabilities.maxObjectBytes, LIMIT);
    const b = await bucket();
    const atLimit = bytes(LIMIT, 1);
    assert.equal((await store.put({ bucket: b, key: 'fits', body: atLimit })).size, LIMIT);
    const tooLarge = failsWith(ValidationError, { code: 'EntityTooLarge' });
    await assert.rejects(store.put({ bucket: b, key: 'buf', body: bytes(LIMIT + 1) }), tooLarge);
    await assert.rejects(
      store.put({ bucket: b, key: 'stream', body: chunked(bytes(10 * LIMIT), 300) }),
      tooLarge,
    );
    await assert.rejects(
      store.put({ bucket: b, key: 'declared', body: bytes(10), contentLength: LIMIT + 1 }),
      tooLarge,
    );
    for (const key of ['buf', 'stream', 'declared']) await assertAbsent(store, b, key);
    // A refused overwrite leaves the object as it was.
    await assert.rejects(store.put({ bucket: b, key: 'fits', body: bytes(LIMIT * 2) }), tooLarge);
    assert.deepEqual(await readAll((await store.get(b, 'fits')).body), atLimit);
    assert.deepEqual(
      (await store.list(b)).items.map((i) => i.key),
      ['fits'],
    );
  });

  test('a body shorter or longer than its contentLength is refused (IncompleteBody)', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const data = bytes(5000, 2);
    const incomplete = failsWith(ValidationError, { code: 'IncompleteBody' });
    await assert.rejects(
      store.put({ bucket: b, key: 'short', body: chunked(data, 1000), contentLength: 6000 }),
      incomplete,
    );
    await assert.rejects(
      store.put({ bucket: b, key: 'long', body: data, contentLength: 4999 }),
      incomplete,
    );
    await assertAbsent(store, b, 'short');
    await assertAbsent(store, b, 'long');
    const exact = await store.put({ bucket: b, key: 'exact', body: data, contentLength: 5000 });
    assert.equal(exact.size, 5000);
  });

  test('a body that does not match its contentMd5 is refused (BadDigest)', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const data = bytes(4000, 3);
    await store.put({ bucket: b, key: 'k', body: Buffer.from('previous') });
    await assert.rejects(
      store.put({
        bucket: b,
        key: 'k',
        body: chunked(data, 700),
        contentMd5: md5Base64(bytes(4000, 4)),
      }),
      failsWith(ValidationError, { code: 'BadDigest' }),
    );
    assert.equal((await readAll((await store.get(b, 'k')).body)).toString(), 'previous');
    const ok = await store.put({ bucket: b, key: 'k', body: data, contentMd5: md5Base64(data) });
    assert.equal(ok.etag, md5Hex(data));
  });

  test('a body stream that fails midway stores nothing', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    async function* failing() {
      yield bytes(1000);
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('client went away');
    }
    await assert.rejects(store.put({ bucket: b, key: 'broken', body: failing() }), /went away/);
    await assertAbsent(store, b, 'broken');
    assert.deepEqual((await store.list(b)).items, []);
  });

  test('concurrent puts to one key leave one complete object, never a mix', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const versions = Array.from({ length: 8 }, (_, i) => bytes(200_000 + i * 1000, 100 + i));
    const digests = versions.map(md5Hex);
    const results = await Promise.all(
      versions.map((data) =>
        store.put({ bucket: b, key: 'contested', body: chunked(data, 16_384) }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.etag),
      digests,
    );
    const head = await store.head(b, 'contested');
    assert.ok(digests.includes(head.etag), 'the object is one of the versions');
    const body = await readAll((await store.get(b, 'contested')).body);
    assert.equal(md5Hex(body), head.etag, 'its bytes are that version, whole');
    assert.equal(body.length, head.size);
    assert.equal((await store.list(b)).items.length, 1);
  });

  test('reads during overwrites always see one whole version', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    await store.put({ bucket: b, key: 'hot', body: bytes(50_000, 1) });
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 30; i++)
        await store.put({ bucket: b, key: 'hot', body: bytes(50_000 + i, i) });
      writing = false;
    })();
    let reads = 0;
    while (writing || reads < 5) {
      const got = await store.get(b, 'hot');
      const body = await readAll(got.body);
      assert.equal(md5Hex(body), got.info.etag, `read ${reads}: body and ETag agree`);
      assert.equal(body.length, got.info.size);
      reads++;
    }
    await writer;
  });
}

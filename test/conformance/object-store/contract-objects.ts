import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NotFoundError } from '../../../src/core/errors.ts';
import { bytes, chunked, failsWith, md5Hex, readAll, type SuiteContext } from './suite-context.ts';

const EMPTY_MD5 = 'd41d8cd98f00b204e9800998ecf8427e';

export function objectsContract(ctx: SuiteContext): void {
  test('put then get returns the same bytes, ETag = hex MD5, default content type', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const data = bytes(10_000, 7);
    const before = Date.now();
    const info = await store.put({ bucket: b, key: 'docs/one.bin', body: data });
    assert.equal(info.bucket, b);
    assert.equal(info.key, 'docs/one.bin');
    assert.equal(info.size, data.length);
    assert.equal(info.etag, md5Hex(data));
    assert.match(info.etag, /^[0-9a-f]{32}$/);
    assert.equal(info.contentType, 'application/octet-stream');
    assert.deepEqual({ ...info.userMetadata }, {});
    assert.ok(Math.abs(info.lastModified.getTime() - before) < 60_000, 'lastModified is about now');
    const got = await store.get(b, 'docs/one.bin');
    assert.deepEqual(await readAll(got.body), data);
    assert.equal(got.range, undefined);
    assert.equal(got.info.etag, info.etag);
    assert.equal(got.info.size, info.size);
  });

  test('an async-iterable body of 5 MiB round-trips', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const data = bytes(5 * 1024 * 1024, 11);
    const info = await store.put({ bucket: b, key: 'big.bin', body: chunked(data) });
    assert.equal(info.size, data.length);
    assert.equal(info.etag, md5Hex(data));
    const body = await readAll((await store.get(b, 'big.bin')).body);
    assert.equal(body.length, data.length);
    assert.ok(body.equals(data), 'the bytes read back are the bytes written');
  });

  test('a 0-byte object, from a buffer or an empty stream', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const fromBuffer = await store.put({ bucket: b, key: 'empty-a', body: Buffer.alloc(0) });
    const fromStream = await store.put({
      bucket: b,
      key: 'empty-b',
      body: chunked(Buffer.alloc(0)),
    });
    for (const info of [fromBuffer, fromStream]) {
      assert.equal(info.size, 0);
      assert.equal(info.etag, EMPTY_MD5);
      const got = await store.get(b, info.key);
      assert.equal((await readAll(got.body)).length, 0);
      assert.equal((await store.head(b, info.key)).size, 0);
    }
  });

  test('content type and user metadata round-trip; metadata names are lowercased', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const info = await store.put({
      bucket: b,
      key: 'photo.jpg',
      body: Buffer.from('jpeg bytes'),
      contentType: 'image/jpeg',
      userMetadata: { 'Camera-Model': 'X100', owner: 'ana', 'x-trace': 'a=b; c' },
    });
    const expected = { 'camera-model': 'X100', owner: 'ana', 'x-trace': 'a=b; c' };
    assert.equal(info.contentType, 'image/jpeg');
    assert.deepEqual({ ...info.userMetadata }, expected);
    const got = await store.get(b, 'photo.jpg');
    assert.equal((await readAll(got.body)).toString(), 'jpeg bytes');
    for (const seen of [await store.head(b, 'photo.jpg'), got.info]) {
      assert.equal(seen.contentType, 'image/jpeg');
      assert.deepEqual({ ...seen.userMetadata }, expected);
      assert.equal(seen.etag, info.etag);
    }
    const listed = (await store.list(b)).items[0]!;
    assert.equal(listed.key, 'photo.jpg');
    assert.equal(listed.size, 10);
    assert.equal(listed.etag, info.etag);
  });

  test('an overwrite replaces content, ETag, content type and metadata', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    await store.put({
      bucket: b,
      key: 'k',
      body: Buffer.from('first version'),
      contentType: 'text/plain',
      userMetadata: { version: '1', extra: 'gone later' },
    });
    const second = bytes(3000, 2);
    const info = await store.put({
      bucket: b,
      key: 'k',
      body: second,
      contentType: 'application/x-two',
      userMetadata: { version: '2' },
    });
    const head = await store.head(b, 'k');
    assert.equal(head.etag, md5Hex(second));
    assert.equal(head.size, 3000);
    assert.equal(head.contentType, 'application/x-two');
    assert.deepEqual({ ...head.userMetadata }, { version: '2' });
    assert.equal(info.etag, head.etag);
    assert.deepEqual(await readAll((await store.get(b, 'k')).body), second);
    assert.deepEqual(
      (await store.list(b)).items.map((i) => i.key),
      ['k'],
    );
  });

  test('head describes an object without its body; a missing key is NotFound (object)', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const put = await store.put({ bucket: b, key: 'h', body: Buffer.from('12345') });
    const head = await store.head(b, 'h');
    assert.deepEqual(
      { ...head, userMetadata: { ...head.userMetadata } },
      { ...put, userMetadata: { ...put.userMetadata } },
    );
    const missing = failsWith(NotFoundError, { kind: 'object', bucket: b, key: 'nope' });
    await assert.rejects(store.head(b, 'nope'), missing);
    await assert.rejects(store.get(b, 'nope'), missing);
  });

  test('delete removes the object; deleting what is not there succeeds', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    await store.put({ bucket: b, key: 'a/doomed', body: Buffer.from('bye') });
    await store.put({ bucket: b, key: 'a/kept', body: Buffer.from('stay') });
    await store.delete(b, 'a/doomed');
    await assert.rejects(store.head(b, 'a/doomed'), failsWith(NotFoundError, { kind: 'object' }));
    await assert.rejects(store.get(b, 'a/doomed'), failsWith(NotFoundError, { kind: 'object' }));
    assert.deepEqual(
      (await store.list(b)).items.map((i) => i.key),
      ['a/kept'],
    );
    await store.delete(b, 'a/doomed');
    await store.delete(b, 'never/was');
    assert.deepEqual(await readAll((await store.get(b, 'a/kept')).body), Buffer.from('stay'));
  });

  test('a body read while the object is deleted or overwritten is still whole', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const first = bytes(256 * 1024, 3);
    await store.put({ bucket: b, key: 'k', body: first });
    const reading = await store.get(b, 'k');
    await store.put({ bucket: b, key: 'k', body: bytes(1000, 4) });
    await store.delete(b, 'k');
    assert.equal(md5Hex(await readAll(reading.body)), md5Hex(first));
  });
}

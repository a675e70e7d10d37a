import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, NotFoundError } from '../../../src/core/errors.ts';
import { uniqueName } from '../../support/names.ts';
import { failsWith, type SuiteContext } from './suite-context.ts';

export function bucketsContract(ctx: SuiteContext): void {
  test('a created bucket is listed; creating it again is a conflict', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const before = Date.now();
    const name = await bucket('made');
    const listed = (await store.listBuckets()).find((b) => b.name === name);
    assert.ok(listed, 'the new bucket is listed');
    assert.ok(listed.createdAt instanceof Date);
    assert.ok(Math.abs(listed.createdAt.getTime() - before) < 60_000, 'createdAt is about now');
    await assert.rejects(
      store.createBucket(name),
      failsWith(ConflictError, { code: 'BucketAlreadyOwnedByYou' }),
    );
    await store.ensureBucket(name);
    assert.equal((await store.listBuckets()).filter((b) => b.name === name).length, 1);
  });

  test('listBuckets is in name order', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const made = [await bucket('order-b'), await bucket('order-a'), await bucket('order-c')];
    const names = (await store.listBuckets()).map((b) => b.name).filter((n) => made.includes(n));
    assert.deepEqual(names, [...made].sort());
  });

  test('ensureBucket creates a bucket that does not exist', async (t) => {
    const { store } = await ctx.open(t);
    const name = uniqueName('ensured');
    await store.ensureBucket(name);
    assert.ok((await store.listBuckets()).some((b) => b.name === name));
    await store.put({ bucket: name, key: 'k', body: Buffer.from('x') });
    await store.delete(name, 'k');
    await store.deleteBucket(name);
  });

  test('an empty bucket is deleted; a bucket with objects is not', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const full = await bucket('full');
    await store.put({ bucket: full, key: 'keep/me', body: Buffer.from('still here') });
    await assert.rejects(
      store.deleteBucket(full),
      failsWith(ConflictError, { code: 'BucketNotEmpty' }),
    );
    assert.equal((await store.head(full, 'keep/me')).size, 10);

    const empty = uniqueName('empty');
    await store.createBucket(empty);
    await store.deleteBucket(empty);
    assert.ok(!(await store.listBuckets()).some((b) => b.name === empty));
    await assert.rejects(
      store.deleteBucket(empty),
      failsWith(NotFoundError, { kind: 'bucket', bucket: empty }),
    );
    // Emptied, it can go.
    await store.delete(full, 'keep/me');
    await store.deleteBucket(full);
    assert.ok(!(await store.listBuckets()).some((b) => b.name === full));
  });

  test('a deleted bucket can be created again, empty', async (t) => {
    const { store } = await ctx.open(t);
    const name = uniqueName('again');
    await store.createBucket(name);
    await store.put({ bucket: name, key: 'old', body: Buffer.from('old') });
    await store.delete(name, 'old');
    await store.deleteBucket(name);
    await store.createBucket(name);
    assert.deepEqual((await store.list(name)).items, []);
    await store.deleteBucket(name);
  });

  test('every object operation on a missing bucket is NotFound (bucket)', async (t) => {
    const { store } = await ctx.open(t);
    const missing = uniqueName('missing');
    const isMissing = failsWith(NotFoundError, { kind: 'bucket', bucket: missing });
    await assert.rejects(
      store.put({ bucket: missing, key: 'k', body: Buffer.from('x') }),
      isMissing,
    );
    await assert.rejects(store.get(missing, 'k'), isMissing);
    await assert.rejects(store.head(missing, 'k'), isMissing);
    await assert.rejects(store.delete(missing, 'k'), isMissing);
    await assert.rejects(store.list(missing), isMissing);
    assert.ok(!(await store.listBuckets()).some((b) => b.name === missing), 'put made no bucket');
  });
}

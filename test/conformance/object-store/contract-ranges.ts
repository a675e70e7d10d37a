import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../../src/core/errors.ts';
import { bytes, failsWith, readAll, type SuiteContext } from './suite-context.ts';

export function rangesContract(ctx: SuiteContext): void {
  test('a start-end range returns exactly those bytes, end inclusive', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const data = bytes(100, 5);
    await store.put({ bucket: b, key: 'r', body: data });
    const got = await store.get(b, 'r', { range: { start: 10, end: 19 } });
    assert.deepEqual(got.range, { start: 10, end: 19 });
    assert.equal(got.info.size, 100, 'info describes the whole object');
    assert.deepEqual(await readAll(got.body), data.subarray(10, 20));
    const one = await store.get(b, 'r', { range: { start: 0, end: 0 } });
    assert.deepEqual(await readAll(one.body), data.subarray(0, 1));
  });

  test('an open-ended range reads to the end; an end past the size is clamped', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const data = bytes(100, 6);
    await store.put({ bucket: b, key: 'r', body: data });
    const open = await store.get(b, 'r', { range: { start: 90 } });
    assert.deepEqual(open.range, { start: 90, end: 99 });
    assert.deepEqual(await readAll(open.body), data.subarray(90));
    const clamped = await store.get(b, 'r', { range: { start: 95, end: 10_000 } });
    assert.deepEqual(clamped.range, { start: 95, end: 99 });
    assert.deepEqual(await readAll(clamped.body), data.subarray(95));
    const last = await store.get(b, 'r', { range: { start: 99 } });
    assert.deepEqual(await readAll(last.body), data.subarray(99));
  });

  test('a range in the middle of a 5 MiB object', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const data = bytes(5 * 1024 * 1024, 8);
    await store.put({ bucket: b, key: 'big', body: data });
    const start = 3 * 1024 * 1024 + 17;
    const end = start + 700_000;
    const got = await store.get(b, 'big', { range: { start, end } });
    assert.ok((await readAll(got.body)).equals(data.subarray(start, end + 1)));
  });

  test('a range starting at or past the size is refused (InvalidRange)', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    await store.put({ bucket: b, key: 'r', body: bytes(100, 9) });
    await store.put({ bucket: b, key: 'empty', body: Buffer.alloc(0) });
    const invalidRange = failsWith(ValidationError, { code: 'InvalidRange' });
    await assert.rejects(store.get(b, 'r', { range: { start: 100 } }), invalidRange);
    await assert.rejects(store.get(b, 'r', { range: { start: 500, end: 600 } }), invalidRange);
    await assert.rejects(store.get(b, 'empty', { range: { start: 0 } }), invalidRange);
    await assert.rejects(store.get(b, 'r', { range: { start: 20, end: 10 } }), invalidRange);
    await assert.rejects(store.get(b, 'r', { range: { start: -1 } }), invalidRange);
    // The object is untouched and still reads whole.
    assert.equal((await readAll((await store.get(b, 'r')).body)).length, 100);
  });
}

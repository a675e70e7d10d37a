import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ValidationError } from '../../../src/core/errors.ts';
import { failsWith, readAll, type SuiteContext } from './suite-context.ts';

/** Keys S3 accepts that are easy to get wrong in paths, URLs and SQL. */
const AWKWARD_KEYS = [
  'with space.txt',
  '  leading and trailing  ',
  'plus+sign',
  'percent%20not-decoded',
  '100%',
  'a/b/c/d/e.txt',
  'trailing/',
  'double//slash',
  'unicode/日本語/ファイル.png',
  'émoji 😀 ok',
  'quote\'"`',
  'question?hash#amp&eq=',
  'semicolon;comma,colon:',
  '~tilde!star*(paren)',
  'dots...',
  '..x',
  'x..',
  '.hidden',
  'a..b/c',
  '<tag>&amp;',
  `max-${'k'.repeat(1020)}`,
] as const;

const BAD_BUCKETS = [
  '',
  'ab',
  'UPPER',
  'has_underscore',
  'has space',
  '-start',
  'end-',
  '.dot',
  'a..b',
  'a.-b',
  '192.168.0.1',
  'x'.repeat(64),
];

const BAD_KEYS = [
  '',
  '../x',
  '..',
  '.',
  '/abs',
  '/',
  'a/../b',
  'a/./b',
  'x/..',
  './x',
  'ctrl\u0001char',
  'new\nline',
  'del\u007f',
  'nul\u0000',
  'tab\there',
  'back\\slash',
  'lone \ud800 surrogate',
  'x'.repeat(1025),
  '€'.repeat(342),
];

export function namesContract(ctx: SuiteContext): void {
  test('keys with spaces, unicode, +, %, / and other awkward characters round-trip', async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const keys = [...AWKWARD_KEYS];
    for (const key of keys) {
      assert.ok(Buffer.byteLength(key) <= 1024, `test key ${key} is valid`);
      const info = await store.put({ bucket: b, key, body: Buffer.from(`body of ${key}`) });
      assert.equal(info.key, key);
    }
    for (const key of keys) {
      assert.equal((await store.head(b, key)).key, key);
      assert.equal((await readAll((await store.get(b, key)).body)).toString(), `body of ${key}`);
    }
    const listed = (await store.list(b)).items.map((i) => i.key);
    assert.deepEqual(new Set(listed), new Set(keys));
    assert.equal(listed.length, keys.length);
    for (const key of keys) await store.delete(b, key);
    assert.deepEqual((await store.list(b)).items, []);
  });

  test('invalid bucket names are refused (InvalidBucketName)', async (t) => {
    const { store } = await ctx.open(t);
    const before = (await store.listBuckets()).length;
    for (const name of BAD_BUCKETS) {
      await assert.rejects(
        store.createBucket(name),
        failsWith(ValidationError, { code: 'InvalidBucketName' }),
        `bucket ${JSON.stringify(name)}`,
      );
    }
    assert.equal((await store.listBuckets()).length, before, 'no bucket was made');
  });

  test("invalid keys are refused (InvalidObjectName): '..', absolute, control characters, > 1024 bytes", async (t) => {
    const { store, bucket } = await ctx.open(t);
    const b = await bucket();
    const invalid = failsWith(ValidationError, { code: 'InvalidObjectName' });
    for (const key of BAD_KEYS) {
      const label = `key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 20)}...` : key)}`;
      await assert.rejects(store.put({ bucket: b, key, body: Buffer.from('x') }), invalid, label);
      await assert.rejects(store.get(b, key), invalid, label);
      await assert.rejects(store.head(b, key), invalid, label);
      await assert.rejects(store.delete(b, key), invalid, label);
    }
    assert.deepEqual((await store.list(b)).items, [], 'nothing was stored');
  });
}

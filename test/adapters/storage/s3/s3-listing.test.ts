import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ListObjectsCommandOutput } from '@aws-sdk/client-s3';
import {
  boundAfterPrefix,
  compareUtf8,
  listingOf,
  listRequestOf,
} from '../../../../src/adapters/storage/s3/s3-listing.ts';

function answer(
  keys: string[],
  prefixes: string[] = [],
  truncated = false,
): ListObjectsCommandOutput {
  return {
    $metadata: {},
    IsTruncated: truncated,
    Contents: keys.map((Key) => ({ Key, Size: 1, ETag: '"0cc175b9c0f1b6a831c399e269772661"' })),
    CommonPrefixes: prefixes.map((Prefix) => ({ Prefix })),
  };
}

test('a page is put in UTF-8 byte order, whatever order the server sent', () => {
  const keys = ['a/b', 'a-b', 'a', '\u{1f600}', '\uff5e', 'B'];
  const listing = listingOf('b', answer(keys), listRequestOf());
  assert.deepEqual(
    listing.items.map((i) => i.key),
    [...keys].sort(compareUtf8),
  );
  assert.equal(listing.items[0]!.etag, '0cc175b9c0f1b6a831c399e269772661');
  assert.equal(listing.next, undefined);
});

test('a common prefix cut inside a multi-character delimiter is completed', () => {
  const request = listRequestOf({ prefix: 'photos/', delimiter: '.jpg' });
  const listing = listingOf('b', answer([], ['photos/top.', 'photos/2024/a.']), request);
  assert.deepEqual(listing.commonPrefixes, ['photos/2024/a.jpg', 'photos/top.jpg']);
  const whole = listingOf('b', answer([], ['x/']), listRequestOf({ delimiter: '/' }));
  assert.deepEqual(whole.commonPrefixes, ['x/']);
});

test('keys and prefixes share the limit; next passes a prefix it ends on', () => {
  const request = listRequestOf({ delimiter: '/', limit: 2 });
  const listing = listingOf('b', answer(['b', 'd'], ['a/', 'c/']), request);
  assert.deepEqual(
    listing.items.map((i) => i.key),
    ['b'],
  );
  assert.deepEqual(listing.commonPrefixes, ['a/']);
  assert.equal(listing.next, 'b');
  const endsOnPrefix = listingOf('b', answer(['b'], ['c/'], true), request);
  assert.equal(endsOnPrefix.next, boundAfterPrefix('c/'));
  assert.ok(compareUtf8(endsOnPrefix.next!, 'c/zzz') > 0);
  assert.ok(compareUtf8(endsOnPrefix.next!, 'c0') < 0);
});

test('limit defaults to 1000 and is capped there', () => {
  assert.equal(listRequestOf().limit, 1000);
  assert.equal(listRequestOf({ limit: 5000 }).limit, 1000);
  assert.throws(() => listRequestOf({ limit: 0 }), /limit/);
});

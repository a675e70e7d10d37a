/** The key-order helpers the embedded listing is built on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareUtf8, keySuccessor } from '../../../src/adapters/storage/fs/object-listing.ts';

test('keySuccessor bounds every string with the prefix, and nothing else', () => {
  assert.equal(keySuccessor('a'), 'b');
  assert.equal(keySuccessor('photos/'), 'photos0');
  assert.equal(keySuccessor('a\u{10ffff}'), 'b');
  assert.equal(keySuccessor('\ud7ff'), '\ue000', 'surrogate code points are skipped');
  assert.equal(keySuccessor('\u{10ffff}\u{10ffff}'), undefined);
  const prefix = 'img/é';
  const successor = keySuccessor(prefix)!;
  for (const key of [prefix, `${prefix}\u0000`, `${prefix}z`, `${prefix}\u{10ffff}\u{10ffff}`]) {
    assert.ok(compareUtf8(key, successor) < 0, `${JSON.stringify(key)} is below the successor`);
  }
  for (const key of [successor, `${successor}a`, 'img/ë', 'j']) {
    assert.ok(compareUtf8(key, successor) >= 0, `${JSON.stringify(key)} is not below`);
  }
});

test('compareUtf8 orders by UTF-8 bytes, unlike JavaScript’s UTF-16 comparison', () => {
  const astral = '\u{1f600}';
  const bmpHigh = '\uff5e';
  assert.ok(astral < bmpHigh, 'UTF-16 puts the surrogate pair first');
  assert.ok(compareUtf8(astral, bmpHigh) > 0, 'UTF-8 puts it last');
  assert.equal(compareUtf8('a', 'a'), 0);
  assert.ok(compareUtf8('a', 'ab') < 0);
  assert.ok(compareUtf8('B', 'a') < 0);
});

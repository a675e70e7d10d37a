import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashKey, partitionOf } from '../../src/core/partition.ts';

describe('partitionOf', () => {
  test('given the same key twice, when partitioned, then it lands on the same partition', () => {
    for (const key of ['user-1', 'order-42', '', 'ключ', 'a'.repeat(500)]) {
      assert.equal(partitionOf(key, 8), partitionOf(key, 8));
      const p = partitionOf(key, 8);
      assert.ok(Number.isInteger(p) && p >= 0 && p < 8, `partition ${p} out of range`);
    }
  });

  test('given the FNV-1a reference vectors, when hashed, then the 32-bit hashes match', () => {
    // Published FNV-1a 32-bit test vectors: engines on other languages must agree.
    assert.equal(hashKey(''), 0x811c9dc5);
    assert.equal(hashKey('a'), 0xe40c292c);
    assert.equal(hashKey('foobar'), 0xbf9cf968);
  });

  test('given 10,000 keys, when spread over 8 partitions, then each gets within 15% of its share', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 10_000; i++) counts[partitionOf(`key-${i}`, 8)]!++;
    const share = 10_000 / 8;
    for (const [partition, count] of counts.entries()) {
      assert.ok(
        Math.abs(count - share) < share * 0.15,
        `partition ${partition} got ${count} of 10000 keys (counts ${counts.join(', ')})`,
      );
    }
  });

  test('given one partition, when partitioned, then every key goes to partition 0', () => {
    assert.equal(partitionOf('anything', 1), 0);
    assert.equal(partitionOf('else', 1), 0);
  });
});

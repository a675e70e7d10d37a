import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exponentialBackoff, fixedBackoff, noBackoff } from '../../src/core/backoff.ts';

describe('exponentialBackoff', () => {
  test('given no jitter, when attempts fail, then delays grow by the factor from initialMs', () => {
    const backoff = exponentialBackoff({ initialMs: 100, factor: 3, jitter: false });
    assert.deepEqual([1, 2, 3, 4].map(backoff), [100, 300, 900, 2700]);
  });

  test('given defaults without jitter, when attempts fail, then delays start at 100 ms and double', () => {
    const backoff = exponentialBackoff({ jitter: false });
    assert.deepEqual([1, 2, 3].map(backoff), [100, 200, 400]);
  });

  test('given maxMs, when many attempts fail, then no delay exceeds it', () => {
    const backoff = exponentialBackoff({ initialMs: 100, factor: 2, maxMs: 1_000, jitter: false });
    assert.deepEqual([4, 5, 6, 50, 2000].map(backoff), [800, 1000, 1000, 1000, 1000]);
  });

  test('given the default maxMs, when attempt 100 fails, then the delay is 30 s, not Infinity', () => {
    assert.equal(exponentialBackoff({ jitter: false })(100), 30_000);
  });

  test('given attempt 0 or below, when asked, then the delay is initialMs', () => {
    const backoff = exponentialBackoff({ initialMs: 50, jitter: false });
    assert.equal(backoff(0), 50);
    assert.equal(backoff(-3), 50);
  });

  test('given jitter, when random is 0 or almost 1, then the delay spans [d/2, d]', () => {
    const low = exponentialBackoff({ initialMs: 1000, random: () => 0 });
    const high = exponentialBackoff({ initialMs: 1000, random: () => 0.999999 });
    assert.equal(low(1), 500);
    assert.equal(high(1), 1000);
    assert.equal(low(2), 1000);
    assert.equal(high(2), 2000);
  });

  test('given jitter and a capped delay, when random varies, then every delay stays within [max/2, max]', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const backoff = exponentialBackoff({ initialMs: 100, maxMs: 800, random });
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const delay = backoff(10);
      assert.ok(delay >= 400 && delay <= 800, `delay ${delay} outside [400, 800]`);
      seen.add(delay);
    }
    assert.ok(seen.size > 100, 'jitter did not spread delays');
  });
});

describe('fixedBackoff and noBackoff', () => {
  test('given a fixed backoff, when any attempt fails, then the delay is the same', () => {
    const backoff = fixedBackoff(250);
    assert.deepEqual([1, 2, 10].map(backoff), [250, 250, 250]);
  });

  test('given no backoff, when any attempt fails, then the delay is 0', () => {
    assert.deepEqual([1, 2, 10].map(noBackoff), [0, 0, 0]);
  });
});

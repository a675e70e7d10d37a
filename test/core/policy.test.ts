import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixedBackoff } from '../../src/core/backoff.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { resolvePolicy } from '../../src/core/policy.ts';

describe('resolvePolicy', () => {
  test('given nothing, when resolved, then the documented defaults apply', () => {
    const policy = resolvePolicy();
    assert.equal(policy.attempts, 5);
    assert.equal(policy.timeoutMs, 30_000);
    assert.equal(policy.concurrency, 1);
    assert.equal(policy.maxInFlight, 64);
    assert.equal(typeof policy.backoff, 'function');
    const first = policy.backoff(1);
    assert.ok(first >= 50 && first <= 100, `default first delay ${first} not in [50, 100]`);
    const late = policy.backoff(50);
    assert.ok(late >= 15_000 && late <= 30_000, `default capped delay ${late} not in [15 s, 30 s]`);
  });

  test('given concurrency 8, when resolved, then maxInFlight defaults to 16 x concurrency', () => {
    assert.equal(resolvePolicy({ concurrency: 8 }).maxInFlight, 128);
    assert.equal(resolvePolicy({ concurrency: 2 }).maxInFlight, 64);
  });

  test('given explicit values, when resolved, then they are kept', () => {
    const backoff = fixedBackoff(7);
    const policy = resolvePolicy({
      attempts: 3,
      backoff,
      timeoutMs: 1_000,
      concurrency: 4,
      maxInFlight: 10,
    });
    assert.deepEqual(policy, {
      attempts: 3,
      backoff,
      timeoutMs: 1_000,
      concurrency: 4,
      maxInFlight: 10,
    });
  });

  test('given maxInFlight below concurrency, when resolved, then it is raised to concurrency', () => {
    assert.equal(resolvePolicy({ concurrency: 8, maxInFlight: 2 }).maxInFlight, 8);
  });

  test('given zero, negative, fractional or NaN values, when resolved, then each is refused naming policy.<field>', () => {
    for (const field of ['attempts', 'timeoutMs', 'concurrency', 'maxInFlight'] as const) {
      for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.throws(
          () => resolvePolicy({ [field]: value }),
          (error: unknown) => {
            assert.ok(error instanceof ValidationError, `${field}=${value}: got ${error}`);
            assert.equal(error.details.path, `policy.${field}`);
            assert.ok(error.message.includes(`policy.${field}`), error.message);
            return true;
          },
        );
      }
    }
  });
});

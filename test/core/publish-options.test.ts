import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import { deliverAtOf } from '../../src/core/publish-options.ts';

const NOW = 1_700_000_000_000;

describe('deliverAtOf', () => {
  test('given neither delayMs nor deliverAt, when resolved, then delivery is at once (undefined)', () => {
    assert.equal(deliverAtOf(undefined, NOW), undefined);
    assert.equal(deliverAtOf({}, NOW), undefined);
  });

  test('given delayMs, when resolved, then delivery is now plus the delay', () => {
    assert.equal(deliverAtOf({ delayMs: 1_500 }, NOW), NOW + 1_500);
    assert.equal(deliverAtOf({ delayMs: 0 }, NOW), NOW);
  });

  test('given deliverAt as a Date or epoch ms, when resolved, then delivery is at that time', () => {
    assert.equal(deliverAtOf({ deliverAt: new Date(NOW + 60_000) }, NOW), NOW + 60_000);
    assert.equal(deliverAtOf({ deliverAt: NOW + 5 }, NOW), NOW + 5);
  });

  test('given a negative, NaN or infinite delayMs, when resolved, then it is refused at path delayMs', () => {
    for (const delayMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => deliverAtOf({ delayMs }, NOW),
        (error: unknown) => error instanceof ValidationError && error.details.path === 'delayMs',
        `delayMs ${delayMs} was accepted`,
      );
    }
  });

  test('given an invalid Date or NaN deliverAt, when resolved, then it is refused at path deliverAt', () => {
    for (const deliverAt of [new Date('nonsense'), Number.NaN]) {
      assert.throws(
        () => deliverAtOf({ deliverAt }, NOW),
        (error: unknown) => error instanceof ValidationError && error.details.path === 'deliverAt',
      );
    }
  });

  test('given no now, when resolved, then the delay counts from the current time', () => {
    const before = Date.now();
    const at = deliverAtOf({ delayMs: 10_000 })!;
    assert.ok(at >= before + 10_000 && at <= Date.now() + 10_000);
  });
});

describe('deliverAtOf with both', () => {
  test('given delayMs and deliverAt together, when resolved, then the pair is refused', () => {
    assert.throws(() => deliverAtOf({ delayMs: 5, deliverAt: NOW }, NOW), /not both/);
  });
});

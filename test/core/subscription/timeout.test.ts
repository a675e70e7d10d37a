import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TimeoutError } from '../../../src/core/errors.ts';
import { type TrySignal, withTimeout } from '../../../src/core/subscription/timeout.ts';

function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('withTimeout', () => {
  test('given fast async work, when run, then it resolves and its signal never aborts', async () => {
    let kept: TrySignal | undefined;
    await withTimeout(30, async (signal) => {
      kept = signal;
      await tick(1);
    });
    await tick(60); // past the limit: a timer left running would abort now
    assert.equal(kept!.signal.aborted, false);
  });

  test('given synchronous work that returns, when run, then it resolves', async () => {
    let ran = false;
    await withTimeout(1_000, () => {
      ran = true;
    });
    assert.equal(ran, true);
  });

  test('given slow work watching its signal, when the limit passes, then it rejects with TimeoutError and the signal aborts with it', async () => {
    let signal: AbortSignal | undefined;
    const run = withTimeout(20, (trySignal) => {
      signal = trySignal.signal;
      return new Promise<void>((resolve) => signal!.addEventListener('abort', () => resolve()));
    });
    await assert.rejects(run, (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.equal(error.code, 'EY_TIMEOUT');
      assert.match(error.message, /20 ms/);
      return true;
    });
    assert.equal(signal!.aborted, true);
    assert.ok(signal!.reason instanceof TimeoutError);
  });

  test('given slow work that asks for its signal only after the limit, when it asks, then the signal is already aborted', async () => {
    let kept: TrySignal | undefined;
    let finish!: () => void;
    const run = withTimeout(20, (trySignal) => {
      kept = trySignal;
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    await assert.rejects(run, TimeoutError);
    assert.equal(kept!.signal.aborted, true);
    assert.ok(kept!.signal.reason instanceof TimeoutError);
    finish();
  });

  test('given work that throws synchronously, when run, then the same error rejects', async () => {
    const error = new Error('sync boom');
    await assert.rejects(
      withTimeout(1_000, () => {
        throw error;
      }),
      (thrown: unknown) => thrown === error,
    );
  });

  test('given work that rejects, when run, then the same error rejects', async () => {
    const error = new Error('async boom');
    await assert.rejects(
      withTimeout(1_000, async () => {
        await tick(1);
        throw error;
      }),
      (thrown: unknown) => thrown === error,
    );
  });

  test('given work that throws or rejects with undefined, when run, then it still rejects with an Error', async () => {
    await assert.rejects(
      withTimeout(1_000, () => {
        throw undefined;
      }),
      /handler threw undefined/,
    );
    await assert.rejects(
      withTimeout(1_000, () => Promise.reject(undefined)),
      /handler rejected with undefined/,
    );
  });

  test('given work that fails before the limit, when the limit passes later, then its signal stays unaborted', async () => {
    let kept: TrySignal | undefined;
    await assert.rejects(
      withTimeout(20, (trySignal) => {
        kept = trySignal;
        throw new Error('early');
      }),
      /early/,
    );
    await tick(40);
    assert.equal(kept!.signal.aborted, false);
  });
});

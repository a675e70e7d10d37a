import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixedBackoff, noBackoff } from '../../../src/core/backoff.ts';
import type { Delivery } from '../../../src/core/delivery.ts';
import { createEvent, type Envelope } from '../../../src/core/envelope.ts';
import { PermanentError } from '../../../src/core/errors.ts';
import { type DeliveryPolicy, resolvePolicy } from '../../../src/core/policy.ts';
import { retry } from '../../../src/core/subscription/retry.ts';

/** A delivery that records every call the retry loop makes on it. */
class FakeDelivery implements Delivery {
  readonly topic = 'orders';
  readonly group = 'billing';
  readonly offset = 3;
  readonly partition = 0;
  readonly event: Envelope = createEvent({ type: 'order.placed', data: {} });
  readonly calls: string[] = [];
  readonly recordedFailures: number[] = [];
  settled = false;

  constructor(readonly attempt = 1) {}

  ack(): void {
    this.calls.push('ack');
  }
  nack(delayMs?: number): void {
    this.calls.push(`nack ${delayMs}`);
  }
  term(reason: string): void {
    this.calls.push(`term ${reason}`);
  }
  working(): void {
    this.calls.push('working');
  }
  async recordFailure(attempt: number): Promise<void> {
    this.calls.push(`recordFailure ${attempt}`);
    this.recordedFailures.push(attempt);
  }
}

/** A try that fails `failures` times (recording each call), then succeeds. */
function flaky(failures: number, log: string[], error = () => new Error('not yet')) {
  return async (attempt: number) => {
    log.push(`try ${attempt}`);
    if (attempt <= failures) throw error();
  };
}

function policy(overrides: DeliveryPolicy = {}) {
  return resolvePolicy({ attempts: 3, backoff: noBackoff, ...overrides });
}

const notStopping = new AbortController().signal;

describe('retry', () => {
  test('given a try that succeeds, when retried, then it is done on attempt 1 with nothing recorded', async () => {
    const delivery = new FakeDelivery();
    const log = delivery.calls;
    const outcome = await retry(delivery, policy(), flaky(0, log), notStopping);
    assert.deepEqual(outcome, { kind: 'done', attempt: 1 });
    assert.deepEqual(log, ['try 1']);
  });

  test('given a try that fails once, when retried, then the failure is recorded before the second try succeeds', async () => {
    const delivery = new FakeDelivery();
    const log = delivery.calls;
    const outcome = await retry(delivery, policy(), flaky(1, log), notStopping);
    assert.deepEqual(outcome, { kind: 'done', attempt: 2 });
    assert.deepEqual(log, ['try 1', 'recordFailure 1', 'try 2']);
  });

  test('given attempts 3 and a try that always fails, when retried, then it is tried exactly 3 times and gives up on attempt 3', async () => {
    const delivery = new FakeDelivery();
    const log = delivery.calls;
    const error = new Error('disk on fire');
    const outcome = await retry(
      delivery,
      policy(),
      flaky(99, log, () => error),
      notStopping,
    );
    assert.deepEqual(outcome, { kind: 'give-up', attempt: 3, error });
    assert.deepEqual(log, ['try 1', 'recordFailure 1', 'try 2', 'recordFailure 2', 'try 3']);
    assert.deepEqual(delivery.recordedFailures, [1, 2]);
  });

  test('given attempts 1, when the only try fails, then it gives up without recording a retry', async () => {
    const delivery = new FakeDelivery();
    const outcome = await retry(
      delivery,
      policy({ attempts: 1 }),
      flaky(99, delivery.calls),
      notStopping,
    );
    assert.equal(outcome.kind, 'give-up');
    assert.equal(outcome.attempt, 1);
    assert.deepEqual(delivery.calls, ['try 1']);
  });

  test('given a PermanentError, when retried, then it gives up at once with that error', async () => {
    const delivery = new FakeDelivery();
    const error = new PermanentError('malformed');
    const outcome = await retry(
      delivery,
      policy({ attempts: 5 }),
      flaky(99, delivery.calls, () => error),
      notStopping,
    );
    assert.deepEqual(outcome, { kind: 'give-up', attempt: 1, error });
    assert.deepEqual(delivery.calls, ['try 1']);
  });

  test('given a delivery resumed at attempt 2 after a restart, when retried, then only attempts 2 and 3 are tried', async () => {
    const delivery = new FakeDelivery(2);
    const outcome = await retry(delivery, policy(), flaky(99, delivery.calls), notStopping);
    assert.equal(outcome.kind, 'give-up');
    assert.equal(outcome.attempt, 3);
    assert.deepEqual(delivery.calls, ['try 2', 'recordFailure 2', 'try 3']);
  });

  test('given a delivery arriving with attempt above policy.attempts, when retried, then it gives up without trying', async () => {
    const delivery = new FakeDelivery(4);
    const outcome = await retry(delivery, policy(), flaky(0, delivery.calls), notStopping);
    assert.equal(outcome.kind, 'give-up');
    assert.equal(outcome.attempt, 3, 'should report the attempts actually made');
    assert.ok(outcome.kind === 'give-up' && outcome.error instanceof PermanentError);
    assert.deepEqual(delivery.calls, []);
  });

  test('given a backoff, when a try fails, then the retrying hook gets the attempt, the error and the delay', async () => {
    const delivery = new FakeDelivery();
    const seen: Array<[number, string, number]> = [];
    await retry(
      delivery,
      policy({ backoff: (attempt) => attempt * 2 }),
      flaky(2, delivery.calls),
      notStopping,
      {
        retrying: (attempt, error, delayMs) =>
          seen.push([attempt, (error as Error).message, delayMs]),
      },
    );
    assert.deepEqual(seen, [
      [1, 'not yet', 2],
      [2, 'not yet', 4],
    ]);
  });

  test('given a fixed backoff, when a try fails, then the next try waits for it', async () => {
    const delivery = new FakeDelivery();
    const times: number[] = [];
    await retry(
      delivery,
      policy({ backoff: fixedBackoff(40) }),
      async (attempt) => {
        times.push(performance.now());
        if (attempt === 1) throw new Error('once');
      },
      notStopping,
    );
    assert.equal(times.length, 2);
    assert.ok(times[1]! - times[0]! >= 35, `retried after ${times[1]! - times[0]!} ms`);
  });

  test('given a long backoff, when the stopping signal aborts during it, then the outcome is stopped with the next attempt (the 60 s backoff is cut short, or the 5 s test timeout fails it)', {
    timeout: 5_000,
  }, async () => {
    const delivery = new FakeDelivery();
    const stopping = new AbortController();
    const outcome = await retry(
      delivery,
      policy({ backoff: fixedBackoff(60_000) }),
      flaky(99, delivery.calls),
      stopping.signal,
      { retrying: () => setTimeout(() => stopping.abort(), 20) },
    );
    assert.deepEqual(outcome, { kind: 'stopped', attempt: 2 });
    assert.deepEqual(delivery.calls, ['try 1', 'recordFailure 1']);
  });

  test('given a signal already aborted, when a try fails, then it stops without a second try', async () => {
    const delivery = new FakeDelivery();
    const stopping = new AbortController();
    stopping.abort();
    const outcome = await retry(
      delivery,
      policy({ backoff: fixedBackoff(10) }),
      flaky(99, delivery.calls),
      stopping.signal,
    );
    assert.deepEqual(outcome, { kind: 'stopped', attempt: 2 });
    assert.deepEqual(delivery.calls, ['try 1', 'recordFailure 1']);
  });

  test('given retry, when it ends in any way, then it never settles the delivery itself', async () => {
    const done = new FakeDelivery();
    await retry(done, policy(), flaky(0, []), notStopping);
    const gaveUp = new FakeDelivery();
    await retry(gaveUp, policy(), flaky(99, []), notStopping);
    for (const delivery of [done, gaveUp]) {
      assert.ok(
        !delivery.calls.some((call) => /^(ack|nack|term)/.test(call)),
        delivery.calls.join(),
      );
    }
  });
});

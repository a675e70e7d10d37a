import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, UnsupportedError } from '../../src/core/errors.ts';
import { delay, waitFor } from '../support/wait.ts';
import { events, names, recorder, type SuiteContext } from './suite-context.ts';

export function replayContract(ctx: SuiteContext): void {
  test('a new group starts where it asks: earliest by default, or latest', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('start');
    await broker.publish(topic, events(5));
    const fromStart = await recorder(broker, { topic, group });
    const fromNow = await recorder(broker, { topic, group: `${group}-latest`, start: 'latest' });
    await waitFor('earliest group', () => fromStart.seen.length === 5);
    await broker.publish(topic, events(2));
    await waitFor('both groups', () => fromStart.seen.length === 7 && fromNow.seen.length === 2);
  });

  test('a group replays from an offset', async (t) => {
    const broker = await ctx.broker(t);
    if (!broker.capabilities.replay) {
      await assert.rejects(
        broker.resetGroup('any-topic', 'any-group', { offset: 1 }),
        UnsupportedError,
      );
      return;
    }
    const { topic, group } = names('replay-offset');
    const receipt = await broker.publish(topic, events(10));
    const first = await recorder(broker, { topic, group });
    await waitFor('all', () => first.seen.length === 10);
    await assert.rejects(
      broker.resetGroup(topic, group, { offset: 0 }),
      ConflictError,
      'reset of an active group must be refused',
    );
    await first.subscription.close();
    let sixth = receipt.offsets[6];
    if (broker.capabilities.publishOffsets === false) {
      assert.equal(sixth, undefined);
      const read = [];
      for await (const stored of broker.read(topic, { from: 'earliest' })) read.push(stored);
      sixth = read[6]!.offset;
    }
    await broker.resetGroup(topic, group, { offset: sixth! });
    const again = await recorder(broker, { topic, group });
    await waitFor('replayed', () => again.seen.length === 4);
    assert.deepEqual(
      again.seen.map((e) => e.data.i),
      [6, 7, 8, 9],
    );
  });

  test('a group replays from a time', async (t) => {
    const broker = await ctx.broker(t);
    if (!broker.capabilities.replayFromTime) {
      await assert.rejects(
        broker.resetGroup('any-topic', 'any-group', { time: new Date() }),
        UnsupportedError,
      );
      return;
    }
    const { topic, group } = names('replay-time');
    const batch = events(6);
    await broker.publish(topic, batch.slice(0, 3));
    await delay(50);
    const middle = new Date();
    await delay(50);
    await broker.publish(topic, batch.slice(3));
    await broker.resetGroup(topic, group, { time: middle });
    const { seen } = await recorder(broker, { topic, group });
    await waitFor('replayed', () => seen.length === 3);
    await delay(100);
    assert.deepEqual(
      seen.map((e) => e.data.i),
      [3, 4, 5],
    );
    const read = [];
    for await (const stored of broker.read(topic, { from: { time: middle } }))
      read.push(stored.event.data);
    assert.deepEqual(read, [{ i: 3 }, { i: 4 }, { i: 5 }]);
  });

  test('delayed delivery waits until the time asked for', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('delayed');
    const [late, at, now] = events(3);
    if (!broker.capabilities.delayedDelivery) {
      await assert.rejects(broker.publish(topic, late!, { delayMs: 500 }), UnsupportedError);
      return;
    }
    const arrivals = new Map<number, number>();
    const { seen } = await recorder(broker, {
      topic,
      group,
      handler: (event) => {
        arrivals.set(event.data.i, Date.now());
      },
    });
    const sent = Date.now();
    await broker.publish(topic, late!, { delayMs: 700 });
    await broker.publish(topic, at!, { deliverAt: new Date(sent + 400) });
    await broker.publish(topic, now!);
    await waitFor('all three', () => seen.length === 3, 5_000);
    assert.deepEqual(
      seen.map((e) => e.data.i),
      [2, 1, 0],
    );
    assert.ok(
      arrivals.get(0)! - sent >= 690,
      `delayMs 700 delivered after ${arrivals.get(0)! - sent} ms`,
    );
    assert.ok(
      arrivals.get(1)! - sent >= 390,
      `deliverAt +400 delivered after ${arrivals.get(1)! - sent} ms`,
    );
    assert.ok(arrivals.get(2)! - sent < 390, 'an undelayed event waited for delayed ones');
  });

  test('history can be followed live', async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('follow');
    await broker.publish(topic, events(2));
    const controller = new AbortController();
    const got: number[] = [];
    const reading = (async () => {
      for await (const stored of broker.read(topic, {
        from: 'earliest',
        follow: true,
        signal: controller.signal,
      })) {
        got.push((stored.event.data as { i: number }).i);
        if (got.length === 4) controller.abort();
      }
    })();
    await waitFor('history', () => got.length === 2);
    await broker.publish(topic, events(2));
    await reading;
    assert.deepEqual(got, [0, 1, 0, 1]);
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueName } from '../support/names.ts';
import { delay, waitFor } from '../support/wait.ts';
import { events, names, recorder, type SuiteContext } from './suite-context.ts';

export function groupsContract(ctx: SuiteContext): void {
  test('every group gets every event', async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('fanout');
    const a = await recorder(broker, { topic, group: uniqueName('a') });
    const b = await recorder(broker, { topic, group: uniqueName('b') });
    const batch = events(50);
    await broker.publish(topic, batch);
    await waitFor('both groups', () => a.seen.length >= 50 && b.seen.length >= 50);
    const ids = batch.map((e) => e.id).sort();
    assert.deepEqual(a.seen.map((e) => e.id).sort(), ids);
    assert.deepEqual(b.seen.map((e) => e.id).sort(), ids);
  });

  test('within a group each event goes to one member', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('members');
    const first = await recorder(broker, { topic, group });
    const second = await recorder(broker, { topic, group });
    const batch = events(200, (i) => `k${i}`);
    await broker.publish(topic, batch);
    await waitFor('all events', () => first.seen.length + second.seen.length >= 200);
    await delay(200); // a duplicate would show up now
    const all = [...first.seen, ...second.seen].map((e) => e.id);
    assert.equal(all.length, 200);
    assert.equal(new Set(all).size, 200);
    assert.ok(first.seen.length > 0 && second.seen.length > 0, 'both members should get a share');
  });

  test('the handler context names the delivery', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('context');
    const receipt = await broker.publish(topic, events(1));
    const contexts: Array<Record<string, unknown>> = [];
    await broker.subscribe({
      topic,
      group,
      handler: (_event, context) => {
        contexts.push({ ...context, signal: context.signal instanceof AbortSignal });
      },
    });
    await waitFor('delivery', () => contexts.length === 1);
    assert.equal(contexts[0]!.topic, topic);
    assert.equal(contexts[0]!.group, group);
    assert.equal(contexts[0]!.attempt, 1);
    assert.equal(contexts[0]!.signal, true);
    if (broker.capabilities.publishOffsets === false) {
      assert.deepEqual(receipt.offsets, [undefined]);
      const read = [];
      for await (const stored of broker.read(topic, { from: 'earliest' })) read.push(stored);
      assert.equal(contexts[0]!.offset, read[0]!.offset);
    } else {
      assert.equal(contexts[0]!.offset, receipt.offsets[0]);
    }
  });

  test('lag counts what a group has not handled yet', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('lag');
    let block = true;
    const { seen, subscription } = await recorder(broker, {
      topic,
      group,
      handler: async () => {
        while (block) await delay(5);
      },
    });
    await broker.publish(topic, events(25));
    await waitFor('lag 25', async () => {
      const info = (await broker.groups(topic)).find((g) => g.group === group);
      return info?.lag === 25;
    });
    block = false;
    await waitFor('all handled', () => seen.length === 25);
    await subscription.close();
    const info = (await broker.groups(topic)).find((g) => g.group === group);
    assert.equal(info?.lag, 0);
    assert.equal(info?.deadLettered, 0);
  });

  test('close waits for running handlers and keeps what they acknowledged', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('drain');
    let finished = 0;
    let started = 0;
    const subscription = await broker.subscribe({
      topic,
      group,
      policy: { concurrency: 4 },
      handler: async () => {
        started++;
        await delay(300);
        finished++;
      },
    });
    await broker.publish(
      topic,
      events(4, (i) => `k${i}`),
    );
    await waitFor('handlers running', () => started === 4);
    await subscription.close();
    assert.equal(finished, 4, 'close returned before running handlers finished');
    // Acknowledged work is not delivered again.
    const again = await recorder(broker, { topic, group });
    await delay(300);
    assert.equal(again.seen.length, 0);
    const info = (await broker.groups(topic)).find((g) => g.group === group);
    assert.equal(info?.lag, 0);
  });

  test('events not yet started when a member closes go to the next member', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('handover');
    const seen: number[] = [];
    const slow = await broker.subscribe<{ i: number }>({
      topic,
      group,
      handler: async (event) => {
        await delay(50);
        seen.push(event.data.i);
      },
    });
    await broker.publish(
      topic,
      events(20, () => 'one-key'),
    );
    await waitFor('some handled', () => seen.length >= 2);
    await slow.close();
    const next = await recorder(broker, { topic, group });
    await waitFor('the rest', () => seen.length + next.seen.length >= 20);
    const all = [...seen, ...next.seen.map((e) => e.data.i)];
    assert.deepEqual(
      [...new Set(all)].sort((x, y) => x - y),
      Array.from({ length: 20 }, (_, i) => i),
    );
  });
}

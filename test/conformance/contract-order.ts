import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delay, waitFor } from '../support/wait.ts';
import { events, names, recorder, type SuiteContext } from './suite-context.ts';

export function orderContract(ctx: SuiteContext): void {
  test('events with the same key are handled in publish order', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('order');
    const batch = events(300, (i) => `key-${i % 7}`);
    for (let i = 0; i < batch.length; i += 50) await broker.publish(topic, batch.slice(i, i + 50));
    const { seen } = await recorder(broker, { topic, group });
    await waitFor('all events', () => seen.length >= batch.length);
    assertKeyOrder(seen.map((e) => [e.partitionkey!, e.data.i]));
  });

  test('per-key order holds while the group handles different keys concurrently', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('order-conc');
    // Fewer keys than handlers: a runtime that ignored keys would run one key's events side by side.
    const batch = events(400, (i) => `key-${i % 4}`);
    let running = 0;
    let maxRunning = 0;
    const active = new Set<string>();
    let overlapSameKey = 0;
    const { seen } = await recorder(broker, {
      topic,
      group,
      policy: { concurrency: 8 },
      handler: async (event) => {
        const key = event.partitionkey!;
        if (active.has(key)) overlapSameKey++;
        active.add(key);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await delay(Math.random() * 3);
        running--;
        active.delete(key);
      },
    });
    for (let i = 0; i < batch.length; i += 40) await broker.publish(topic, batch.slice(i, i + 40));
    await waitFor('all events', () => seen.length >= batch.length, 20_000);
    assert.equal(overlapSameKey, 0, 'two events of one key ran at the same time');
    assert.ok(maxRunning > 1, `handlers never ran side by side (max ${maxRunning})`);
    assert.ok(maxRunning <= 4, `more handlers ran at once (${maxRunning}) than there are keys`);
    assertKeyOrder(seen.map((e) => [e.partitionkey!, e.data.i]));
  });

  test('the concurrency limit is reached and never exceeded', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('limit');
    let running = 0;
    let maxRunning = 0;
    const { seen } = await recorder(broker, {
      topic,
      group,
      policy: { concurrency: 3 },
      handler: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await delay(20);
        running--;
      },
    });
    await broker.publish(topic, events(30));
    await waitFor('all events', () => seen.length >= 30);
    assert.equal(maxRunning, 3);
  });
}

function assertKeyOrder(handled: Array<[string, number]>): void {
  const last = new Map<string, number>();
  for (const [key, i] of handled) {
    const previous = last.get(key) ?? -1;
    assert.ok(i > previous, `key ${key}: event ${i} handled after ${previous}`);
    last.set(key, i);
  }
}

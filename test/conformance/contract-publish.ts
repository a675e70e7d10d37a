import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEvent } from '../../src/core/envelope.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { events, names, type SuiteContext } from './suite-context.ts';

export function publishContract(ctx: SuiteContext): void {
  test('publish resolves with increasing offsets (or none, per publishOffsets), and history reads back in order', async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('publish');
    const batch = events(20);
    const first = await broker.publish(topic, batch.slice(0, 10));
    const second = await broker.publish(topic, batch.slice(10));
    const received = [...first.offsets, ...second.offsets];
    assert.equal(received.length, 20);
    const read = [];
    for await (const stored of broker.read(topic, { from: 'earliest' })) read.push(stored);
    assert.deepEqual(
      read.map((s) => s.event.id),
      batch.map((e) => e.id),
    );
    const offsets = read.map((s) => s.offset);
    for (let i = 1; i < offsets.length; i++) assert.ok(offsets[i]! > offsets[i - 1]!);
    if (broker.capabilities.publishOffsets === false) {
      assert.deepEqual(
        received,
        offsets.map(() => undefined),
      );
    } else {
      assert.deepEqual(received, offsets);
    }
    assert.deepEqual(read[3]!.event.data, { i: 3 });
  });

  test('2,500 concurrent first publishes to a new topic are all stored (the topic is made once, not once per caller)', async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('stampede');
    const batch = events(2_500);
    await Promise.all(batch.map((event) => broker.publish(topic, event)));
    const read = new Set<string>();
    for await (const stored of broker.read(topic, { from: 'earliest' })) read.add(stored.event.id);
    assert.equal(read.size, batch.length);
  });

  test('an invalid envelope is refused with a clear error and blocks nothing else', async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('invalid');
    const good = events(1)[0]!;
    const bad = { ...good, id: '', time: 'yesterday' };
    await assert.rejects(broker.publish(topic, [good, bad as never]), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.details.path, 'id');
      return true;
    });
    await assert.rejects(broker.publish(topic, { ...good, time: 'yesterday' }), /time/);
    // Nothing of the refused batch was stored, and the next publish goes through.
    await broker.publish(topic, good);
    const read = [];
    for await (const stored of broker.read(topic, { from: 'earliest' })) read.push(stored.event.id);
    assert.deepEqual(read, [good.id]);
  });

  test('an invalid topic or group name is refused', async (t) => {
    const broker = await ctx.broker(t);
    const event = events(1)[0]!;
    for (const topic of ['', 'a..b', 'bad topic', '.x', 'x.', '$sys', 'a'.repeat(201)]) {
      await assert.rejects(broker.publish(topic, event), ValidationError, `topic '${topic}'`);
    }
    await assert.rejects(
      broker.subscribe({ topic: 'fine', group: 'no good', handler: () => {} }),
      ValidationError,
    );
  });

  test('an event larger than the engine takes is refused', async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('large');
    const max = broker.capabilities.maxEventBytes;
    const huge = createEvent({ type: 'big', data: 'x'.repeat(max + 1) });
    await assert.rejects(broker.publish(topic, huge), ValidationError);
    await broker.publish(topic, events(1));
  });
}

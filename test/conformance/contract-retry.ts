import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixedBackoff, noBackoff } from '../../src/core/backoff.ts';
import { PermanentError } from '../../src/core/errors.ts';
import { deadLetterTopicOf } from '../../src/core/topic.ts';
import { uniqueName } from '../support/names.ts';
import { delay, waitFor } from '../support/wait.ts';
import { events, names, recorder, type SuiteContext } from './suite-context.ts';

export function retryContract(ctx: SuiteContext): void {
  test('a failing handler is retried with backoff and then succeeds', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('retry');
    const attempts: number[] = [];
    const times: number[] = [];
    const { seen } = await recorder(broker, {
      topic,
      group,
      policy: { attempts: 5, backoff: fixedBackoff(100) },
      handler: (_event, context) => {
        attempts.push(context.attempt);
        times.push(Date.now());
        if (context.attempt < 3) throw new Error('not yet');
      },
    });
    await broker.publish(topic, events(1));
    await waitFor('success', () => seen.length === 1);
    assert.deepEqual(attempts, [1, 2, 3]);
    assert.ok(times[1]! - times[0]! >= 90, 'retried without waiting for the backoff');
    await delay(200);
    assert.equal((await broker.deadLetters.list(topic)).length, 0);
  });

  test("a policy's attempt count is honoured exactly, then the event is dead-lettered", async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('attempts');
    let calls = 0;
    await broker.subscribe({
      topic,
      group,
      policy: { attempts: 3, backoff: noBackoff },
      handler: () => {
        calls++;
        throw new Error('disk on fire');
      },
    });
    const [event] = events(1);
    await broker.publish(topic, event!);
    const letters = await waitFor('dead letter', async () => {
      const list = await broker.deadLetters.list(topic);
      return list.length > 0 ? list : undefined;
    });
    await delay(200);
    assert.equal(calls, 3);
    assert.equal(letters.length, 1);
    const letter = letters[0]!;
    assert.equal(letter.event.id, event!.id);
    assert.deepEqual(letter.event.data, event!.data);
    assert.equal(letter.group, group);
    assert.equal(letter.topic, topic);
    assert.equal(letter.attempts, 3);
    assert.match(letter.reason, /disk on fire/);
    const info = (await broker.groups(topic)).find((g) => g.group === group);
    assert.equal(info?.deadLettered, 1);
    assert.equal(info?.lag, 0, 'the dead-lettered event still counts as handled');
  });

  test('a PermanentError dead-letters at once, with its reason and code', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('permanent');
    let calls = 0;
    await broker.subscribe({
      topic,
      group,
      policy: { attempts: 5 },
      handler: () => {
        calls++;
        throw new PermanentError('not an image');
      },
    });
    await broker.publish(topic, events(1));
    const [letter] = await waitFor('dead letter', async () => {
      const list = await broker.deadLetters.list(topic);
      return list.length > 0 ? list : undefined;
    });
    assert.equal(calls, 1);
    assert.equal(letter!.code, 'EY_PERMANENT');
    assert.equal(letter!.attempts, 1);
    assert.match(letter!.reason, /not an image/);
    // The dead-letter topic is an ordinary topic: its record carries the reason too.
    const records = [];
    for await (const stored of broker.read(deadLetterTopicOf(topic), { from: 'earliest' })) {
      records.push(stored.event);
    }
    assert.equal(records.length, 1);
    assert.equal(records[0]!.dlqgroup, group);
  });

  test('a handler past its timeout counts as failed and is retried', async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('timeout');
    const attempts: number[] = [];
    let aborted = false;
    const { seen } = await recorder(broker, {
      topic,
      group,
      policy: { timeoutMs: 100, backoff: noBackoff },
      handler: async (_event, context) => {
        attempts.push(context.attempt);
        if (context.attempt === 1) {
          const signal = context.signal;
          await delay(300);
          aborted = signal.aborted;
        }
      },
    });
    await broker.publish(topic, events(1));
    await waitFor('success', () => seen.length >= 1);
    assert.deepEqual(attempts.slice(0, 2), [1, 2]);
    await waitFor('first try saw its signal abort', () => aborted);
  });

  test('dead letters are replayed to the group that gave up, and only to it', async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('dlq-replay');
    const failing = uniqueName('failing');
    const healthy = uniqueName('healthy');
    let fixed = false;
    const handled: string[] = [];
    await broker.subscribe({
      topic,
      group: failing,
      policy: { attempts: 2, backoff: noBackoff },
      handler: (event) => {
        if (!fixed) throw new Error('bug');
        handled.push(event.id);
      },
    });
    const other = await recorder(broker, { topic, group: healthy });
    const batch = events(3);
    await broker.publish(topic, batch);
    await waitFor('dead letters', async () => (await broker.deadLetters.list(topic)).length === 3);
    assert.equal(other.seen.length, 3);
    assert.deepEqual(await broker.deadLetters.list(topic, { group: healthy }), []);

    fixed = true;
    const replayed = await broker.deadLetters.replay(topic, {
      group: failing,
      ids: [batch[1]!.id],
    });
    assert.equal(replayed, 1);
    await waitFor('replayed event handled', () => handled.length === 1);
    assert.deepEqual(handled, [batch[1]!.id]);
    assert.equal(await broker.deadLetters.replay(topic, { group: failing }), 3);
    await waitFor('all handled', () => handled.length === 4);
    await delay(200);
    assert.equal(other.seen.length, 3, 'a replay addressed to one group reached another');
  });
}

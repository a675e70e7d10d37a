/**
 * A failed try recorded by one process counts in the next: the register of
 * the partition keeps the failures with the position, so a policy's attempt
 * limit holds across a restart of the consumer.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RabbitMqTransport, removePrefix } from '../../../src/adapters/brokers/rabbitmq/index.ts';
import { fixedBackoff } from '../../../src/core/backoff.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { prefixOf, RABBITMQ_URL, target } from '../../conformance/targets/rabbitmq.ts';
import { uniqueName } from '../../support/names.ts';
import { waitFor } from '../../support/wait.ts';

const skip = await target.skip?.();
const prefix = prefixOf(uniqueName('attempts'));

after(async () => {
  if (!skip) await removePrefix(RABBITMQ_URL, { prefix });
});

function open() {
  return createBroker(new RabbitMqTransport(RABBITMQ_URL, { prefix, commitIntervalMs: 100 }));
}

test('attempts recorded before a restart are counted after it', { skip }, async () => {
  const topic = 'jobs';
  const group = 'workers';
  const policy = { attempts: 3, backoff: fixedBackoff(60_000) };
  const first = open();
  const seen: number[] = [];
  try {
    await first.ready();
    await first.publish(topic, createEvent({ type: 'job', data: {} }));
    const subscription = await first.subscribe({
      topic,
      group,
      policy,
      handler: (_event, context) => {
        seen.push(context.attempt);
        throw new Error('flaky');
      },
    });
    await waitFor('the first try', () => seen.length === 1);
    await subscription.close(); // during the backoff: handed back, failure on record
  } finally {
    await first.close();
  }

  const second = open();
  try {
    await second.ready();
    const attempts: number[] = [];
    await second.subscribe({
      topic,
      group,
      policy: { ...policy, backoff: fixedBackoff(10) },
      handler: (_event, context) => {
        attempts.push(context.attempt);
        throw new Error('still flaky');
      },
    });
    const letters = await waitFor('dead letter', async () => {
      const list = await second.deadLetters.list(topic);
      return list.length > 0 ? list : undefined;
    });
    assert.deepEqual(seen, [1]);
    assert.deepEqual(attempts, [2, 3], 'the second process went on counting');
    assert.equal(letters[0]!.attempts, 3);
  } finally {
    await second.close();
  }
});

/**
 * A publish Redis refuses fails with an EngineError that names the server
 * (never its password) and the topic, with Redis's own error as its cause.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisTransport } from '../../../src/adapters/brokers/redis/index.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { EngineError } from '../../../src/core/errors.ts';
import { prefixOf, REDIS_URL, removeKeys, target } from '../../conformance/targets/redis.ts';
import { uniqueName } from '../../support/names.ts';

const skip = await target.skip?.();

test('a refused publish names the server and the topic', { skip }, async () => {
  const prefix = prefixOf(uniqueName('publish-errors'));
  const topic = uniqueName('orders');
  const client = new Redis(REDIS_URL);
  const transport = new RedisTransport(REDIS_URL, { prefix });
  try {
    await transport.ready();
    // Something else wrote the topic's offset counter as a hash: the append script cannot INCRBY it.
    await client.hset(`${prefix}:{${topic}}:seq`, 'not', 'a counter');
    const event = createEvent({ type: 'order.placed', data: { n: 1 } });
    await assert.rejects(transport.publish(topic, [event]), (error: unknown) => {
      assert.ok(error instanceof EngineError, String(error));
      assert.match(
        error.message,
        new RegExp(`redis at rediss?://[^ @]+:\\d+: publish to ${topic} failed`),
      );
      assert.match(error.message, /WRONGTYPE/);
      assert.ok(error.cause instanceof Error);
      return true;
    });
  } finally {
    await transport.close();
    await removeKeys(client, `${prefix}:*`);
    client.disconnect();
  }
});

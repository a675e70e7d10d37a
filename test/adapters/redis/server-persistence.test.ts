/**
 * Durability as the server is configured: the shared Redis of this machine
 * keeps nothing on disk, so the transport claims no more than a kill -9 of
 * the process, says at `ready()` that a Redis restart loses everything, and
 * refuses a `power-loss` claim the server cannot keep.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { RedisTransport } from '../../../src/adapters/brokers/redis/index.ts';
import { ConfigError } from '../../../src/core/errors.ts';
import { prefixOf, REDIS_URL, target } from '../../conformance/targets/redis.ts';
import { uniqueName } from '../../support/names.ts';

const skip = await target.skip?.();

async function serverConfig(): Promise<Map<string, string>> {
  const client = new Redis(REDIS_URL, { protocol: 2 });
  try {
    const reply = (await client.call(
      'CONFIG',
      'GET',
      'appendonly',
      'appendfsync',
      'save',
    )) as string[];
    return new Map(reply.flatMap((value, i) => (i % 2 === 0 ? [[value, reply[i + 1]!]] : [])));
  } finally {
    client.disconnect();
  }
}

test('durability and persistence come from the server configuration', { skip }, async () => {
  const config = await serverConfig();
  const errors: Error[] = [];
  const transport = new RedisTransport(REDIS_URL, {
    prefix: prefixOf(uniqueName('persistence')),
    onError: (error) => errors.push(error),
  });
  try {
    await transport.ready();
    const aofAlways = config.get('appendonly') === 'yes' && config.get('appendfsync') === 'always';
    assert.equal(transport.capabilities.durability, aofAlways ? 'power-loss' : 'process-crash');
    const none = config.get('appendonly') === 'no' && (config.get('save') ?? '').trim() === '';
    assert.equal(transport.persistence?.mode === 'none', none);
    const warned = errors.some((error) => /keeps nothing on disk/.test(error.message));
    assert.equal(warned, none, errors.map((error) => error.message).join('; '));
    if (none) assert.match(errors[0]!.message, /redis at rediss?:\/\/[^ @]+:\d+ keeps nothing/);
  } finally {
    await transport.close();
  }
});

test('a power-loss claim the server cannot keep is refused at ready()', { skip }, async (t) => {
  const config = await serverConfig();
  if (config.get('appendonly') === 'yes' && config.get('appendfsync') === 'always') {
    t.skip('the server fsyncs every write: the claim holds');
    return;
  }
  const transport = new RedisTransport(REDIS_URL, {
    prefix: prefixOf(uniqueName('persistence')),
    durability: 'power-loss',
  });
  try {
    await assert.rejects(
      transport.ready(),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.details.path === 'durability' &&
        /appendfsync/.test(error.message),
    );
  } finally {
    await transport.close();
  }
});

test('an unreachable server fails ready() naming the address, not the password', async () => {
  const transport = new RedisTransport('redis://app:hunter2@127.0.0.1:1', {
    connectTimeoutMs: 500,
  });
  try {
    await assert.rejects(transport.ready(), (error: Error) => {
      assert.match(error.message, /cannot reach redis at redis:\/\/127\.0\.0\.1:1\b/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
  } finally {
    await transport.close();
  }
});

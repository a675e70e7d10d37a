/**
 * Engine fault: a private redis-server (appendonly yes, appendfsync always)
 * is killed -9 and started again on the same port and dir, three times, while events are
 * published and consumed through the broker. The transport reconnects by
 * itself, publishing and consuming resume, and every event whose publish
 * resolved is consumed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RedisTransport } from '../../../src/adapters/brokers/redis/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { enginesRequired } from '../../support/engines.ts';
import { flowThroughRestarts } from '../../support/flow-through-restarts.ts';
import { delay } from '../../support/wait.ts';
import { PrivateRedis } from './fixtures/private-redis.ts';

/** Kill-and-restart rounds: a reply lost in flight is a matter of timing, so several. */
const RESTARTS = 3;

async function redisServerInstalled(): Promise<boolean> {
  const { spawnSync } = await import('node:child_process');
  return spawnSync('redis-server', ['--version']).status === 0;
}

const skip = (await redisServerInstalled())
  ? false
  : enginesRequired()
    ? assert.fail('redis-server is not installed (required: CI/EVENTYARD_REQUIRE_ENGINES)')
    : 'redis-server is not installed';

test(`publish and consume survive kill -9 and restart of redis (${RESTARTS} rounds)`, {
  skip,
  timeout: 90_000,
}, async () => {
  const server = await PrivateRedis.start();
  const errors: Error[] = [];
  const transport = new RedisTransport(`${server.url}?prefix=restart`, {
    leaseMs: 1_500,
    blockMs: 500,
    onError: (error) => errors.push(error),
  });
  const broker = createBroker(transport);
  try {
    await broker.ready();
    assert.equal(transport.persistence?.mode, 'aof-always');
    assert.equal(transport.capabilities.durability, 'power-loss');

    await flowThroughRestarts({
      broker,
      errors,
      restarts: RESTARTS,
      async restart() {
        await server.kill();
        await delay(500);
        await server.start();
      },
    });
    assert.ok(
      errors.some((error) =>
        /redis at redis:\/\/127\.0\.0\.1:\d+ .*reconnecting/.test(error.message),
      ),
      `the outage was reported naming the address: ${errors.map((e) => e.message).join('; ')}`,
    );
  } finally {
    await broker.close();
    await server.stop();
  }
});

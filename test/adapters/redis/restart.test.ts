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
import { createEvent } from '../../../src/core/envelope.ts';
import { enginesRequired } from '../../support/engines.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { PrivateRedis } from './fixtures/private-redis.ts';

const PUBLISHERS = 4;
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

    const consumed = new Set<number>();
    const subscription = await broker.subscribe<{ n: number }>({
      topic: 'orders',
      group: 'billing',
      policy: { concurrency: 8 },
      handler: (event) => {
        consumed.add(event.data.n);
      },
    });

    const resolved = new Set<number>();
    let failed = 0;
    let next = 0;
    let running = true;
    const publisher = async () => {
      while (running) {
        const n = next++;
        const event = createEvent({ type: 'order.placed', data: { n }, key: `customer-${n % 7}` });
        try {
          await broker.publish('orders', [event]);
          resolved.add(n);
        } catch {
          failed++; // refused during the outage: the caller knows, nothing is promised
          await delay(50);
        }
      }
    };
    const publishing = Promise.all(Array.from({ length: PUBLISHERS }, publisher));

    let resolvedAtKill = 0;
    for (let round = 0; round < RESTARTS; round++) {
      const before = consumed.size;
      await waitFor('events flowing', () => consumed.size >= before + 200, 20_000);
      await server.kill();
      resolvedAtKill = resolved.size;
      await delay(500);
      await server.start();
      await waitFor('publishing again', () => resolved.size >= resolvedAtKill + 300, 30_000);
    }
    running = false;
    await publishing;

    const missing = () => [...resolved].filter((n) => !consumed.has(n));
    await waitFor(
      'every resolved publish consumed',
      () => missing().length === 0,
      30_000,
      50,
    ).catch((error) => {
      throw new Error(
        `${error.message}: ${missing().length} of ${resolved.size} missing (${missing().slice(0, 10).join(', ')}...), ${resolvedAtKill} resolved at the last kill; errors: ${errors.map((e) => e.message).join('; ')}`,
      );
    });
    assert.ok(resolved.size > resolvedAtKill, 'publishes resolved after the restart');
    assert.ok(
      errors.some((error) =>
        /redis at redis:\/\/127\.0\.0\.1:\d+ .*reconnecting/.test(error.message),
      ),
      `the outage was reported naming the address: ${errors.map((e) => e.message).join('; ')}`,
    );
    console.log(
      `restart: ${resolved.size} publishes resolved (${resolvedAtKill} before the last kill), ${failed} refused during the outage, ${consumed.size} consumed`,
    );
    await subscription.close();
  } finally {
    await broker.close();
    await server.stop();
  }
});

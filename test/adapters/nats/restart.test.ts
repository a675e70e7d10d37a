/**
 * Engine fault: a private nats-server with JetStream is killed -9 and
 * started again on the same port and store dir while events are published
 * and consumed through the broker. The transport reconnects by itself,
 * publishing and consuming resume, and every event whose publish resolved
 * is consumed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NatsTransport } from '../../../src/adapters/brokers/nats/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { enginesRequired } from '../../support/engines.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { natsServerInstalled, PrivateNats } from './fixtures/private-nats.ts';

const PUBLISHERS = 4;

const skip = natsServerInstalled()
  ? false
  : enginesRequired()
    ? assert.fail('nats-server is not installed (required: CI/EVENTYARD_REQUIRE_ENGINES)')
    : 'nats-server is not installed';

test('publish and consume survive a kill -9 and restart of nats-server', {
  skip,
  timeout: 90_000,
}, async () => {
  const server = await PrivateNats.start();
  const errors: Error[] = [];
  const transport = new NatsTransport(`${server.url}?prefix=restart`, {
    leaseMs: 1_500,
    ackWaitMs: 2_000,
    publishTimeoutMs: 20_000,
    onError: (error) => errors.push(error),
  });
  const broker = createBroker(transport);
  try {
    await broker.ready();
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
          failed++; // rejected without a PubAck: the caller knows, nothing is promised
          await delay(50);
        }
      }
    };
    const publishing = Promise.all(Array.from({ length: PUBLISHERS }, publisher));

    await waitFor('events flowing', () => consumed.size >= 200, 10_000);
    await server.kill();
    const resolvedAtKill = resolved.size;
    await delay(700);
    await server.start();
    await waitFor('publishing again', () => resolved.size >= resolvedAtKill + 500, 30_000);
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
        `${error.message}: ${missing().length} of ${resolved.size} missing (${missing().slice(0, 10).join(', ')}...), ${resolvedAtKill} resolved at the kill; errors: ${errors.map((e) => e.message).join('; ')}`,
      );
    });
    assert.ok(resolved.size > resolvedAtKill, 'publishes resolved after the restart');
    assert.ok(
      errors.some((error) => /nats disconnect \(nats:\/\/127\.0\.0\.1:\d+\)/.test(error.message)),
      `the outage was reported naming the address: ${errors.map((e) => e.message).join('; ')}`,
    );
    console.log(
      `restart: ${resolved.size} publishes resolved (${resolvedAtKill} before the kill), ${failed} rejected during the outage, ${consumed.size} consumed`,
    );
    await subscription.close();
  } finally {
    await broker.close();
    await server.stop();
  }
});

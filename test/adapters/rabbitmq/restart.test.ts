/**
 * Engine fault: a private RabbitMQ node (fixtures/private-rabbitmq.ts) has
 * its application stopped and started again (`rabbitmqctl stop_app` /
 * `start_app`, which closes every client connection) while events are
 * published and consumed through the broker. The transport reconnects by
 * itself, publishing and consuming resume, and every event whose publish
 * resolved is consumed: a publish caught by the restart rejects, it never
 * resolves without a confirm.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RabbitMqTransport } from '../../../src/adapters/brokers/rabbitmq/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { enginesRequired } from '../../support/engines.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { PrivateRabbitMq, privateNodeUnavailable } from './fixtures/private-rabbitmq.ts';

const PUBLISHERS = 4;
const unavailable = privateNodeUnavailable();
const skip =
  unavailable === undefined
    ? false
    : enginesRequired()
      ? assert.fail(`${unavailable} (required: CI/EVENTYARD_REQUIRE_ENGINES)`)
      : unavailable;

test('publish and consume survive a restart of rabbitmq', { skip, timeout: 120_000 }, async () => {
  const server = await PrivateRabbitMq.start();
  const errors: Error[] = [];
  const transport = new RabbitMqTransport(`${server.url}?prefix=restart`, {
    reconnectMaxMs: 500,
    rebalanceIntervalMs: 300,
    commitIntervalMs: 100,
    publishTimeoutMs: 10_000,
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
          failed++; // refused during the outage: the caller knows, nothing is promised
          await delay(50);
        }
      }
    };
    const publishing = Promise.all(Array.from({ length: PUBLISHERS }, publisher));

    await waitFor('events flowing', () => consumed.size >= 200, 10_000);
    const resolvedAtRestart = resolved.size;
    await server.restart(700);
    await waitFor('publishing again', () => resolved.size >= resolvedAtRestart + 500, 30_000);
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
        `${error.message}: ${missing().length} of ${resolved.size} missing (${missing().slice(0, 10).join(', ')}...), ${resolvedAtRestart} resolved at the restart; errors: ${errors.map((e) => e.message).join('; ')}`,
      );
    });
    assert.ok(resolved.size > resolvedAtRestart, 'publishes resolved after the restart');
    assert.ok(
      errors.some((error) =>
        /lost the connection to RabbitMQ at amqp:\/\/127\.0\.0\.1:\d+; reconnecting/.test(
          error.message,
        ),
      ),
      `the outage was reported naming the address: ${errors.map((e) => e.message).join('; ')}`,
    );
    assert.ok(
      errors.every((error) => !error.message.includes('guest:guest')),
      'no credentials in errors',
    );
    console.log(
      `restart: ${resolved.size} publishes resolved (${resolvedAtRestart} before the restart), ${failed} refused during the outage, ${consumed.size} consumed`,
    );
    await subscription.close();
  } finally {
    await broker.close();
    await server.stop();
  }
});

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
import { enginesRequired } from '../../support/engines.ts';
import { flowThroughRestarts } from '../../support/flow-through-restarts.ts';
import { PrivateRabbitMq, privateNodeUnavailable } from './fixtures/private-rabbitmq.ts';

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
    await flowThroughRestarts({
      broker,
      errors,
      publishedAfter: 500,
      restart: () => server.restart(700),
    });
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
  } finally {
    await broker.close();
    await server.stop();
  }
});

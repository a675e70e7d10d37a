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
import { enginesRequired } from '../../support/engines.ts';
import { flowThroughRestarts } from '../../support/flow-through-restarts.ts';
import { delay } from '../../support/wait.ts';
import { natsServerInstalled, PrivateNats } from './fixtures/private-nats.ts';

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
    await flowThroughRestarts({
      broker,
      errors,
      flowingBefore: 200,
      publishedAfter: 500,
      async restart() {
        await server.kill();
        await delay(700);
        await server.start();
      },
    });
    assert.ok(
      errors.some((error) => /nats disconnect \(nats:\/\/127\.0\.0\.1:\d+\)/.test(error.message)),
      `the outage was reported naming the address: ${errors.map((e) => e.message).join('; ')}`,
    );
  } finally {
    await broker.close();
    await server.stop();
  }
});

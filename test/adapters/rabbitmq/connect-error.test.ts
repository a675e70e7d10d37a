import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RabbitMqTransport } from '../../../src/adapters/brokers/rabbitmq/index.ts';
import { EngineError } from '../../../src/core/errors.ts';
import { freePort } from '../../support/ports.ts';

test('ready() fails naming the address, never the password, when nothing answers', async () => {
  const port = await freePort();
  const reported: Error[] = [];
  const transport = new RabbitMqTransport(`amqp://app:topsecret@127.0.0.1:${port}/prod`, {
    connectTimeoutMs: 600,
    reconnectMinMs: 50,
    onError: (error) => reported.push(error),
  });
  try {
    await assert.rejects(transport.ready(), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.match(error.message, new RegExp(`amqp://127\\.0\\.0\\.1:${port}/prod`));
      assert.ok(!error.message.includes('topsecret'));
      return true;
    });
    assert.ok(reported.length > 0, 'the retries were reported');
    for (const error of reported) assert.ok(!error.message.includes('topsecret'), error.message);
  } finally {
    await transport.close();
  }
});

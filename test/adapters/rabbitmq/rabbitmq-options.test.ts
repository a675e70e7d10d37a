import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRabbitMqOptions } from '../../../src/adapters/brokers/rabbitmq/rabbitmq-options.ts';
import { ConfigError } from '../../../src/core/errors.ts';

test('the URL gives address, credentials, vhost, prefix and partitions', () => {
  const o = resolveRabbitMqOptions(
    'amqp://app:s%40cret@mq.example:5673/prod?prefix=shop&partitions=16',
  );
  assert.equal(o.prefix, 'shop');
  assert.equal(o.partitions, 16);
  assert.equal(o.connection.hostname, 'mq.example');
  assert.equal(o.connection.port, 5673);
  assert.equal(o.connection.vhost, 'prod');
  assert.equal(o.connection.username, 'app');
  assert.equal(o.connection.password, 's@cret');
  assert.equal(o.address, 'amqp://mq.example:5673/prod');
});

test('defaults: guest on localhost vhost /, prefix eventyard, 8 partitions', () => {
  const o = resolveRabbitMqOptions('amqp://127.0.0.1');
  assert.equal(o.prefix, 'eventyard');
  assert.equal(o.partitions, 8);
  assert.equal(o.connection.port, 5672);
  assert.equal(o.connection.vhost, '/');
  assert.equal(o.connection.username, 'guest');
});

test('a bad value is refused naming the parameter, never showing the password', () => {
  const cases: Array<[string, string]> = [
    ['amqp://u:topsecret@h/?partitions=0', 'partitions'],
    ['amqp://u:topsecret@h/?partitions=many', 'partitions'],
    ['amqp://u:topsecret@h/?prefix=has%20space', 'prefix'],
    ['amqp://u:topsecret@h/?heartbeat=-1', 'heartbeat'],
    ['http://u:topsecret@h/', 'url'],
    ['amqp://u:topsecret@[bad', 'url'],
  ];
  for (const [url, path] of cases) {
    assert.throws(
      () => resolveRabbitMqOptions(url),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, url);
        assert.equal(error.details.path, path, url);
        assert.ok(!error.message.includes('topsecret'), error.message);
        return true;
      },
    );
  }
});

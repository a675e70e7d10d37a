import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveNatsOptions } from '../../../src/adapters/brokers/nats/nats-options.ts';
import { ConfigError } from '../../../src/core/errors.ts';

test('URL parameters become options, with documented defaults', () => {
  const defaults = resolveNatsOptions('nats://127.0.0.1');
  assert.equal(defaults.server, '127.0.0.1:4222');
  assert.equal(defaults.prefix, 'ey');
  assert.equal(defaults.partitions, 8);
  assert.equal(defaults.replicas, 1);
  assert.equal(defaults.durability, 'process-crash');
  const given = resolveNatsOptions(
    'nats://me:s%40cret@nats.local:4333?prefix=media&partitions=16&replicas=3&ackWaitMs=5000',
  );
  assert.equal(given.server, 'nats.local:4333');
  assert.equal(given.user, 'me');
  assert.equal(given.pass, 's@cret');
  assert.equal(given.address, 'nats://nats.local:4333');
  assert.equal(given.prefix, 'media');
  assert.equal(given.partitions, 16);
  assert.equal(given.replicas, 3);
  assert.equal(given.ackWaitMs, 5_000);
  assert.equal(resolveNatsOptions('nats://h?partitions=4', { partitions: 2 }).partitions, 2);
});

test('an invalid or unknown parameter is refused with a ConfigError naming it', () => {
  for (const [query, name] of [
    ['partitions=0', 'partitions'],
    ['partitions=many', 'partitions'],
    ['replicas=9', 'replicas'],
    ['prefix=a_b', 'prefix'],
    ['prefix=a.b', 'prefix'],
    ['durability=forever', 'durability'],
    ['ackWaitMs=10', 'ackWaitMs'],
    ['colour=blue', 'colour'],
  ] as const) {
    assert.throws(
      () => resolveNatsOptions(`nats://127.0.0.1:4222?${query}`),
      (error: unknown) =>
        error instanceof ConfigError && error.details.path === name && error.message.includes(name),
      query,
    );
  }
  assert.throws(() => resolveNatsOptions('redis://127.0.0.1'), ConfigError);
});

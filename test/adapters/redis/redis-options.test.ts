/**
 * The redis:// URL and options: query parameters become options, a bad or
 * unknown one is refused with a ConfigError naming it, and no message ever
 * carries the password.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveRedisOptions } from '../../../src/adapters/brokers/redis/redis-options.ts';
import { ConfigError } from '../../../src/core/errors.ts';

const SECRET = 's3cr3t-pw';

/** Asserts `url` is refused with a ConfigError whose path is `path` and that hides the password. */
function refused(url: string, path: string, message: RegExp, options = {}) {
  assert.throws(
    () => resolveRedisOptions(url, options),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.details.path, path);
      assert.match(error.message, message);
      assert.ok(!error.message.includes(SECRET), `password in: ${error.message}`);
      return true;
    },
  );
}

test('query parameters become options, code options win', () => {
  const url = `redis://app:${SECRET}@cache.internal:6380/2?prefix=shop&partitions=4&leaseMs=3000&blockMs=200&maxLength=10000&durability=process-crash&import=minio-events:uploads`;
  const resolved = resolveRedisOptions(url, { partitions: 16 });
  assert.equal(resolved.prefix, 'shop');
  assert.equal(resolved.partitions, 16);
  assert.equal(resolved.leaseMs, 3000);
  assert.equal(resolved.blockMs, 200);
  assert.equal(resolved.maxLength, 10_000);
  assert.equal(resolved.durability, 'process-crash');
  assert.deepEqual(resolved.imports, [{ list: 'minio-events', topic: 'uploads' }]);
  assert.equal(resolved.address, 'redis://cache.internal:6380/2');
  assert.equal(resolved.connection.password, SECRET);
  assert.equal(resolved.connection.username, 'app');
  assert.equal(resolved.connection.db, 2);
});

test('defaults work on a fresh machine', () => {
  const resolved = resolveRedisOptions('redis://127.0.0.1');
  assert.equal(resolved.address, 'redis://127.0.0.1:6379');
  assert.equal(resolved.prefix, 'eventyard');
  assert.equal(resolved.partitions, 8);
  assert.equal(resolved.durability, 'auto');
  assert.deepEqual(resolved.imports, []);
});

test('a bad or unknown parameter is refused, naming it and never the password', () => {
  const base = `redis://app:${SECRET}@127.0.0.1:6379`;
  refused(`${base}?partitions=zero`, 'partitions', /parameter partitions/);
  refused(`${base}?partitions=0`, 'partitions', /parameter partitions/);
  refused(`${base}?leaseMs=10`, 'leaseMs', /parameter leaseMs/);
  refused(`${base}?durability=disk`, 'durability', /parameter durability/);
  refused(`${base}?prefix={x}`, 'prefix', /parameter prefix/);
  refused(`${base}?partition=4`, 'partition', /unknown parameter 'partition'/);
  refused(`${base}?prefix=a&prefix=b`, 'prefix', /prefix given twice/);
  refused(`${base}?import=only-a-list`, 'import', /import=<list>:<topic>/);
  refused(`${base}/two`, 'url', /database number/);
  refused(`http://app:${SECRET}@127.0.0.1`, 'url', /redis:\/\/ or rediss:\/\//);
  refused(`redis://app:${SECRET}@[bad`, 'url', /invalid redis URL/);
});

test('a bad option in code is refused, naming the option', () => {
  refused('redis://127.0.0.1', 'partitions', /option partitions/, { partitions: -1 });
});

import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisTransport } from '../../../src/adapters/brokers/redis/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { skipUnlessReachable } from '../../support/engines.ts';
import type { BrokerTarget } from '../target.ts';

export const REDIS_URL = process.env.EVENTYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The key prefix of a scope: its own namespace on the shared server. */
export function prefixOf(scope: string): string {
  return `eyt:${createHash('sha1').update(scope).digest('hex').slice(0, 12)}`;
}

const opened = new Set<string>();

export const target: BrokerTarget = {
  name: 'redis',
  moduleUrl: import.meta.url,
  async open(scope) {
    const prefix = prefixOf(scope);
    opened.add(prefix);
    // Short leases, so the crash tests see a killed member's partitions taken over quickly.
    return createBroker(new RedisTransport(REDIS_URL, { prefix, leaseMs: 1_500, blockMs: 1_000 }));
  },
  skip() {
    const url = new URL(REDIS_URL);
    return skipUnlessReachable('redis', REDIS_URL, url.hostname, Number(url.port || 6379));
  },
};

/** Deletes every key of the scopes this process opened (never anything else on the server). */
export async function removeOpenedScopes(): Promise<void> {
  if (opened.size === 0) return;
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    for (const prefix of opened) await removeKeys(client, `${prefix}:*`);
  } finally {
    client.disconnect();
  }
}

export async function removeKeys(client: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}

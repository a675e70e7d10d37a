import { createHash } from 'node:crypto';
import { RabbitMqTransport, removePrefix } from '../../../src/adapters/brokers/rabbitmq/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { skipUnlessReachable } from '../../support/engines.ts';
import type { BrokerTarget } from '../target.ts';

export const RABBITMQ_URL =
  process.env.EVENTYARD_TEST_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** The name prefix of a scope: its own namespace on the shared server. */
export function prefixOf(scope: string): string {
  return `eyt-${createHash('sha1').update(scope).digest('hex').slice(0, 12)}`;
}

const opened = new Set<string>();

export const target: BrokerTarget = {
  name: 'rabbitmq',
  moduleUrl: import.meta.url,
  async open(scope) {
    const prefix = prefixOf(scope);
    opened.add(prefix);
    // Quick rebalancing and commits, so members share and hand over partitions fast in tests.
    return createBroker(
      new RabbitMqTransport(RABBITMQ_URL, {
        prefix,
        rebalanceIntervalMs: 300,
        commitIntervalMs: 100,
      }),
    );
  },
  skip() {
    const url = new URL(RABBITMQ_URL);
    return skipUnlessReachable(
      'rabbitmq',
      `amqp://${url.host}`,
      url.hostname,
      Number(url.port || 5672),
    );
  },
};

/** Deletes the queues and exchanges of the scopes this process opened (never anything else). */
export async function removeOpenedScopes(): Promise<void> {
  for (const prefix of opened) await removePrefix(RABBITMQ_URL, { prefix });
}

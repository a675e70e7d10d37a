import { join } from 'node:path';
import { SqliteLog } from '../../../src/adapters/brokers/embedded/sqlite-log.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import type { BrokerTarget } from '../target.ts';

export const target: BrokerTarget = {
  name: 'embedded',
  moduleUrl: import.meta.url,
  async open(scope) {
    return createBroker(
      new SqliteLog({ path: join(scope, 'eventyard.db'), leaseMs: 2_000, pollMs: 20 }),
    );
  },
};

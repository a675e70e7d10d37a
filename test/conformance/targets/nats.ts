import { createHash } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsTransport } from '../../../src/adapters/brokers/nats/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { skipUnlessReachable } from '../../support/engines.ts';
import type { BrokerTarget } from '../target.ts';

export const NATS_URL = process.env.EVENTYARD_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** The name prefix of a scope: its own namespace on the shared server. */
export function prefixOf(scope: string): string {
  return `eyt-${createHash('sha1').update(scope).digest('hex').slice(0, 12)}`;
}

const opened = new Set<string>();

export const target: BrokerTarget = {
  name: 'nats',
  moduleUrl: import.meta.url,
  async open(scope) {
    const prefix = prefixOf(scope);
    opened.add(prefix);
    // Short leases and ack waits, so the crash tests see a killed member's work taken over quickly.
    return createBroker(new NatsTransport(NATS_URL, { prefix, leaseMs: 1_500, ackWaitMs: 2_000 }));
  },
  skip() {
    const url = new URL(NATS_URL);
    return skipUnlessReachable('nats', NATS_URL, url.hostname, Number(url.port || 4222));
  },
};

/** Deletes every stream of the scopes this process opened (never anything else on the server). */
export async function removeOpenedScopes(): Promise<void> {
  if (opened.size === 0) return;
  const url = new URL(NATS_URL);
  const nc = await connect({ servers: `${url.hostname}:${url.port || 4222}` });
  try {
    const jsm = await jetstreamManager(nc);
    for (const prefix of opened) await removeStreams(jsm, prefix);
  } finally {
    await nc.close();
  }
}

export async function removeStreams(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  prefix: string,
): Promise<void> {
  const names: string[] = [];
  for await (const name of jsm.streams.names(`${prefix}.>`)) names.push(name);
  for (const name of names) {
    if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
  }
}

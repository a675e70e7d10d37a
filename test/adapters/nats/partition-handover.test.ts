/**
 * Per-key order across the members of a group while partitions move: a
 * member joins and another leaves while events flow. Each partition is
 * handed over only after its old holder settled what it had, so the
 * handling order of every key (one process, one shared log) stays the
 * publish order, and nothing is handled twice.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsTransport } from '../../../src/adapters/brokers/nats/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { NATS_URL, removeStreams, target } from '../../conformance/targets/nats.ts';
import { uniqueName } from '../../support/names.ts';
import { delay, waitFor } from '../../support/wait.ts';

const skip = await target.skip?.();
const prefix = `eyt-handover-${process.pid}`;

after(async () => {
  if (skip) return;
  const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
  await removeStreams(await jetstreamManager(nc), prefix);
  await nc.close();
});

test('per-key order holds while members join and leave', { skip, timeout: 60_000 }, async () => {
  const broker = createBroker(
    new NatsTransport(`${NATS_URL}?prefix=${prefix}`, { leaseMs: 1_500, ackWaitMs: 2_000 }),
  );
  await broker.ready();
  const topic = uniqueName('handover');
  const group = 'billing';
  const handled: Array<{ key: string; i: number; member: string }> = [];
  const member = (name: string) =>
    broker.subscribe<{ i: number }>({
      topic,
      group,
      policy: { concurrency: 4 },
      handler: async (event) => {
        await delay(Math.random() * 2);
        handled.push({ key: event.partitionkey!, i: event.data.i, member: name });
      },
    });
  try {
    const first = await member('first');
    const total = 1_500;
    const publishing = (async () => {
      for (let i = 0; i < total; i += 50) {
        const batch = Array.from({ length: 50 }, (_, j) =>
          createEvent({ type: 'order', data: { i: i + j }, key: `k${(i + j) % 16}` }),
        );
        await broker.publish(topic, batch);
        await delay(20);
      }
    })();
    await waitFor('some handled', () => handled.length >= 200);
    const second = await member('second');
    await waitFor('the second member works', () => handled.some((h) => h.member === 'second'));
    await first.close();
    await publishing;
    await waitFor('all handled', () => handled.length >= total, 30_000);
    await delay(300);
    assert.equal(handled.length, total, 'an event was handled twice');
    const last = new Map<string, number>();
    for (const { key, i } of handled) {
      assert.ok(i > (last.get(key) ?? -1), `key ${key}: ${i} handled after ${last.get(key)}`);
      last.set(key, i);
    }
    await second.close();
  } finally {
    await broker.close();
  }
});

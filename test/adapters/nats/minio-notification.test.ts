/**
 * An outside producer on the topic's unpartitioned subject: MinIO's NATS
 * target publishes its event JSON to one fixed subject
 * (MINIO_NOTIFY_NATS_SUBJECT=<prefix>.<topic>) with JetStream on. The
 * group consuming the topic receives it adopted as a CloudEvent.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NatsTransport } from '../../../src/adapters/brokers/nats/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import type { Envelope } from '../../../src/core/envelope.ts';
import { NATS_URL, removeStreams, target } from '../../conformance/targets/nats.ts';
import { uniqueName } from '../../support/names.ts';
import { waitFor } from '../../support/wait.ts';

const skip = await target.skip?.();
const prefix = `eyt-minio-${process.pid}`;

after(async () => {
  if (skip) return;
  const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
  await removeStreams(await jetstreamManager(nc), prefix);
  await nc.close();
});

test('a MinIO notification published to <prefix>.<topic> reaches the group as a CloudEvent', {
  skip,
}, async () => {
  const broker = createBroker(new NatsTransport(`${NATS_URL}?prefix=${prefix}`));
  await broker.ready();
  const topic = uniqueName('images-bucket-event');
  const seen: Envelope[] = [];
  await broker.subscribe({ topic, group: 'indexer', handler: (event) => void seen.push(event) });

  const notification = {
    EventName: 's3:ObjectCreated:Put',
    Key: 'images/cat.png',
    Records: [
      {
        eventVersion: '2.0',
        eventSource: 'minio:s3',
        eventName: 's3:ObjectCreated:Put',
        s3: { bucket: { name: 'images' }, object: { key: 'cat.png', size: 3 } },
      },
    ],
  };
  const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
  try {
    // What MinIO does with MINIO_NOTIFY_NATS_JETSTREAM=on: a JetStream publish awaiting its PubAck.
    const ack = await jetstream(nc).publish(`${prefix}.${topic}`, JSON.stringify(notification));
    assert.ok(ack.seq > 0);
  } finally {
    await nc.close();
  }
  await waitFor('the adopted notification', () => seen.length === 1);
  const event = seen[0]!;
  assert.equal(event.specversion, '1.0');
  assert.equal(event.type, 'com.amazonaws.s3.ObjectCreated:Put');
  assert.equal(event.source, 'arn:aws:s3:::images');
  assert.equal(event.subject, 'cat.png');
  assert.deepEqual(event.data, notification);
  await broker.close();
});

/**
 * A foreign producer on the topic's exchange: MinIO's AMQP notification
 * target (MINIO_NOTIFY_AMQP_EXCHANGE=<prefix>, _EXCHANGE_TYPE=direct,
 * _ROUTING_KEY=<topic>) publishes its JSON `{EventName, Key, Records}` with
 * plain AMQP. The body is sent here with plain amqplib in MinIO's shape and
 * arrives through the broker as the CloudEvent `adoptMessage` makes of it,
 * to a group and in history.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { connect } from 'amqplib';
import { RabbitMqTransport, removePrefix } from '../../../src/adapters/brokers/rabbitmq/index.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import type { Envelope } from '../../../src/core/envelope.ts';
import { prefixOf, RABBITMQ_URL, target } from '../../conformance/targets/rabbitmq.ts';
import { uniqueName } from '../../support/names.ts';
import { waitFor } from '../../support/wait.ts';

const skip = await target.skip?.();
const prefix = prefixOf(uniqueName('foreign'));

after(async () => {
  if (!skip) await removePrefix(RABBITMQ_URL, { prefix });
});

function minioNotification(bucket: string, key: string) {
  const record = {
    eventVersion: '2.0',
    eventSource: 'minio:s3',
    eventTime: new Date().toISOString(),
    eventName: 's3:ObjectCreated:Put',
    s3: {
      s3SchemaVersion: '1.0',
      bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
      object: { key, size: 2048, contentType: 'image/jpeg' },
    },
  };
  return { EventName: 's3:ObjectCreated:Put', Key: `${bucket}/${key}`, Records: [record] };
}

test('a MinIO notification published to the exchange arrives as a CloudEvent', {
  skip,
}, async () => {
  const transport = new RabbitMqTransport(RABBITMQ_URL, { prefix });
  const broker = createBroker(transport);
  const topic = 'bucket-events';
  try {
    await broker.ready();
    const seen: Envelope[] = [];
    await broker.subscribe({
      topic,
      group: 'thumbnailer',
      handler: (event) => void seen.push(event),
    });

    const connection = await connect(RABBITMQ_URL);
    const channel = await connection.createConfirmChannel();
    const body = minioNotification('photos', 'cats/tom.jpg');
    // As MinIO's AMQP target publishes (internal/event/target/amqp.go): persistent JSON.
    channel.publish(transport.names.exchange, topic, Buffer.from(JSON.stringify(body)), {
      contentType: 'application/json',
      deliveryMode: 2,
    });
    await channel.waitForConfirms();
    await connection.close();

    await waitFor('the notification', () => seen.length === 1);
    const event = seen[0]!;
    assert.equal(transport.names.exchange, prefix);
    assert.equal(event.type, 'com.amazonaws.s3.ObjectCreated:Put');
    assert.equal(event.source, 'arn:aws:s3:::photos');
    assert.equal(event.subject, 'cats/tom.jpg');
    assert.equal(event.partitionkey, 'photos/cats/tom.jpg');
    assert.deepEqual(event.data, body);

    const history = [];
    for await (const stored of broker.read(topic, { from: 'earliest' })) history.push(stored);
    assert.equal(history.length, 1);
    assert.equal(history[0]!.event.id, event.id, 'the adopted id is stable (topic and offset)');
  } finally {
    await broker.close();
  }
});

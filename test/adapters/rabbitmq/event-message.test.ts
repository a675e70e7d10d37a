import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect } from 'amqplib';
import { socketOf } from '../../../src/adapters/brokers/rabbitmq/coalesced-writes.ts';
import { RabbitMqTransport, removePrefix } from '../../../src/adapters/brokers/rabbitmq/index.ts';
import { RabbitMqNames } from '../../../src/adapters/brokers/rabbitmq/rabbitmq-names.ts';
import {
  eventMessage,
  StreamMessage,
} from '../../../src/adapters/brokers/rabbitmq/stream-message.ts';
import { createBroker } from '../../../src/core/create-broker.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { EngineError } from '../../../src/core/errors.ts';
import { prefixOf, RABBITMQ_URL, target } from '../../conformance/targets/rabbitmq.ts';

const skip = await target.skip?.();

const order = (n: number) => createEvent({ type: 'order.placed', data: { n } });

/** The AMQP frames in `bytes`: type, channel and payload of each. */
function framesOf(bytes: Buffer): Array<{ type: number; payload: Buffer }> {
  const frames: Array<{ type: number; payload: Buffer }> = [];
  for (let at = 0; at + 7 <= bytes.length; ) {
    const size = bytes.readUInt32BE(at + 3);
    frames.push({ type: bytes[at]!, payload: bytes.subarray(at + 7, at + 7 + size) });
    at += 7 + size + 1;
  }
  return frames;
}

test('an event without a key goes out with its publish time and a header frame of at most 64 bytes', {
  skip,
}, async (t) => {
  const model = await connect(RABBITMQ_URL);
  t.after(() => model.close().catch(() => {}));
  const channel = await model.createConfirmChannel();
  const queue = (await channel.assertQueue('', { exclusive: true })).queue;
  const socket = socketOf(model);
  assert.ok(socket, 'socketOf found the socket');
  const written: Buffer[] = [];
  const write = socket.write.bind(socket) as (chunk: Buffer, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: Buffer, ...rest: unknown[]) => {
    written.push(Buffer.from(chunk));
    return write(chunk, ...rest);
  }) as typeof socket.write;
  const before = Date.now();
  const message = eventMessage(order(1), 1 << 20);
  await new Promise<void>((resolve, reject) =>
    channel.sendToQueue(queue, message.body, message.options, (error) =>
      error ? reject(error) : resolve(),
    ),
  );
  socket.write = write as typeof socket.write;
  const header = framesOf(Buffer.concat(written)).find((frame) => frame.type === 2);
  assert.ok(header, 'a content header frame was written');
  // 7 bytes of frame head and 1 of frame end around the payload. Over 64,
  // amqplib's Buffer.alloc of it leaves V8's heap and costs 12 times as much:
  // a property added to events must find its bytes elsewhere.
  assert.ok(header.payload.length + 8 <= 64, `header frame of ${header.payload.length + 8} bytes`);

  // What a reader makes of it: an event of eventyard's, published when it was.
  const got = await channel.get(queue, { noAck: true });
  assert.ok(got);
  const read = new StreamMessage(got);
  assert.ok(read.isEvent);
  assert.ok(read.publishedAt! >= before && read.publishedAt! <= Date.now());
  assert.deepEqual(read.event('orders').data, { n: 1 });
});

test('a publish to a stream deleted behind the broker fails as not stored; other publishes go on', {
  skip,
}, async (t) => {
  const prefix = prefixOf('event-message returns');
  const broker = createBroker(new RabbitMqTransport(RABBITMQ_URL, { prefix }));
  const model = await connect(RABBITMQ_URL);
  t.after(async () => {
    await broker.close();
    await model.close().catch(() => {});
    await removePrefix(RABBITMQ_URL, { prefix });
  });
  await broker.publish('gone', order(0));
  await broker.publish('kept', order(0));
  const admin = await model.createChannel();
  await admin.deleteQueue(new RabbitMqNames(prefix).topic('gone'));

  // Alike in body to the event that goes to `kept`: a return is matched by queue too.
  const twin = order(1);
  const results = await Promise.allSettled([
    broker.publish('gone', twin),
    broker.publish('kept', twin),
    broker.publish('gone', order(2)),
    broker.publish('kept', order(3)),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'fulfilled', 'rejected', 'fulfilled'],
  );
  for (const r of results.filter((r) => r.status === 'rejected')) {
    assert.ok(r.reason instanceof EngineError);
    assert.match(r.reason.message, /no queue .*gone.*not stored/);
  }
  // Nothing is left over to fail a later publish of the same body.
  await broker.publish('kept', twin);
});

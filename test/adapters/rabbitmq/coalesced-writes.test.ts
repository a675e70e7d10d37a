import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { connect } from 'amqplib';
import {
  coalesceWrites,
  socketOf,
} from '../../../src/adapters/brokers/rabbitmq/coalesced-writes.ts';
import { RABBITMQ_URL, target } from '../../conformance/targets/rabbitmq.ts';

const skip = await target.skip?.();

/** A connected pair over loopback, and everything the server side receives. */
async function socketPair(): Promise<{ client: Socket; received: () => Buffer; close(): void }> {
  const chunks: Buffer[] = [];
  const server = createServer((peer) => peer.on('data', (chunk) => chunks.push(chunk)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = createConnection(port, '127.0.0.1');
  await once(client, 'connect');
  return {
    client,
    received: () => Buffer.concat(chunks),
    close() {
      client.destroy();
      server.close();
    },
  };
}

/** Counts the socket's own write calls: one per system call batch. */
function countWrites(socket: Socket): { single: number; vectors: number[] } {
  const counts = { single: 0, vectors: [] as number[] };
  const write = socket._write.bind(socket);
  const writev = socket._writev!.bind(socket);
  socket._write = (chunk, encoding, callback) => {
    counts.single++;
    write(chunk, encoding, callback);
  };
  socket._writev = (chunks, callback) => {
    counts.vectors.push(chunks.length);
    writev(chunks, callback);
  };
  return counts;
}

test('the writes of one turn leave in one writev, in order, and a later turn in its own', async (t) => {
  const pair = await socketPair();
  t.after(() => pair.close());
  coalesceWrites(pair.client);
  const counts = countWrites(pair.client);
  const frames = Array.from({ length: 100 }, (_, i) => Buffer.from(`frame ${i};`));
  for (const frame of frames) pair.client.write(frame);
  await new Promise((resolve) => setImmediate(resolve));
  pair.client.write(Buffer.from('next turn;'));
  const expected = Buffer.concat([...frames, Buffer.from('next turn;')]);
  const deadline = Date.now() + 5_000;
  while (pair.received().length < expected.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(pair.received().toString(), expected.toString());
  assert.deepEqual(counts.vectors, [100], 'the first turn went out as one writev');
  assert.equal(counts.single, 1, 'the second turn is a write of its own');
});

test("amqplib's connection exposes the socket that writes are coalesced on", {
  skip,
}, async (t) => {
  const model = await connect(RABBITMQ_URL);
  t.after(() => model.close().catch(() => {}));
  // Should an amqplib upgrade move it, this fails instead of publishing one write per message unnoticed.
  const socket = socketOf(model);
  assert.ok(socket, 'socketOf found the socket');
  coalesceWrites(socket);
  const counts = countWrites(socket);
  const channel = await model.createConfirmChannel();
  const queue = await channel.assertQueue('', { exclusive: true });
  await Promise.all(
    Array.from(
      { length: 50 },
      (_, i) =>
        new Promise<void>((resolve, reject) =>
          channel.sendToQueue(queue.queue, Buffer.from(String(i)), {}, (error) =>
            error ? reject(error) : resolve(),
          ),
        ),
    ),
  );
  assert.ok(
    counts.vectors.some((n) => n >= 50),
    `50 publishes of one turn in one writev (writev sizes ${counts.vectors.join(',')}, single writes ${counts.single})`,
  );
  assert.equal((await channel.checkQueue(queue.queue)).messageCount, 50);
});

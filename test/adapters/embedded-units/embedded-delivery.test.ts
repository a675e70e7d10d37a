import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type DeliverySink,
  EmbeddedDelivery,
} from '../../../src/adapters/brokers/embedded/embedded-delivery.ts';
import type { Settlement } from '../../../src/core/delivery.ts';
import { createEvent } from '../../../src/core/envelope.ts';

/** A sink that records what its deliveries report. */
class RecordingSink implements DeliverySink {
  readonly settled: Array<[EmbeddedDelivery, Settlement]> = [];
  readonly failures: Array<[EmbeddedDelivery, number]> = [];

  settle(delivery: EmbeddedDelivery, settlement: Settlement): void {
    this.settled.push([delivery, settlement]);
  }

  async recordFailure(delivery: EmbeddedDelivery, attempt: number): Promise<void> {
    this.failures.push([delivery, attempt]);
  }
}

function delivery(sink: DeliverySink): EmbeddedDelivery {
  const event = createEvent({ type: 'order.placed', data: {} });
  return new EmbeddedDelivery(sink, {}, 3, 'orders', 'billing', 12, 1, event, 2);
}

describe('EmbeddedDelivery', () => {
  test('given a delivery, when acked twice and nacked, then its sink hears one ack for that delivery', () => {
    const sink = new RecordingSink();
    const d = delivery(sink);
    d.ack();
    d.ack();
    d.nack(10);
    assert.equal(sink.settled.length, 1);
    assert.equal(sink.settled[0]![0], d);
    assert.deepEqual(sink.settled[0]![1], { kind: 'ack' });
  });

  test('given a delivery, when termed, then the sink gets the reason', () => {
    const sink = new RecordingSink();
    delivery(sink).term('dead-lettered');
    assert.deepEqual(sink.settled[0]![1], { kind: 'term', reason: 'dead-lettered' });
  });

  test('given a failed try, when recorded, then the sink persists it for that delivery and attempt', async () => {
    const sink = new RecordingSink();
    const d = delivery(sink);
    await d.recordFailure(2);
    assert.deepEqual(sink.failures, [[d, 2]]);
    assert.equal(d.settled, false);
  });

  test('given constructor values, when read, then the delivery exposes them', () => {
    const sink = new RecordingSink();
    const d = delivery(sink);
    assert.deepEqual(
      [d.epoch, d.topic, d.group, d.offset, d.partition, d.attempt, d.event.type],
      [3, 'orders', 'billing', 12, 1, 2, 'order.placed'],
    );
  });
});

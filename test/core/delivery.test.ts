import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BaseDelivery, type Settlement } from '../../src/core/delivery.ts';
import { createEvent, type Envelope } from '../../src/core/envelope.ts';

/** A delivery that records what reaches its engine. */
class RecordingDelivery extends BaseDelivery {
  readonly topic = 'orders';
  readonly group = 'billing';
  readonly offset = 7;
  readonly partition = 0;
  readonly attempt = 1;
  readonly event: Envelope = createEvent({ type: 'order.placed', data: {} });
  readonly settlements: Settlement[] = [];

  protected settle(settlement: Settlement): void {
    this.settlements.push(settlement);
  }
}

describe('BaseDelivery', () => {
  test('given a fresh delivery, when acked, then the engine sees one ack and it is settled', () => {
    const delivery = new RecordingDelivery();
    assert.equal(delivery.settled, false);
    delivery.ack();
    assert.equal(delivery.settled, true);
    assert.deepEqual(delivery.settlements, [{ kind: 'ack' }]);
  });

  test('given an acked delivery, when acked, nacked and termed again, then nothing more reaches the engine', () => {
    const delivery = new RecordingDelivery();
    delivery.ack();
    delivery.ack();
    delivery.nack(100);
    delivery.term('late');
    assert.deepEqual(delivery.settlements, [{ kind: 'ack' }]);
  });

  test('given a nacked delivery, when acked afterwards, then the nack stands alone', () => {
    const delivery = new RecordingDelivery();
    delivery.nack(250);
    delivery.ack();
    delivery.nack(1);
    assert.deepEqual(delivery.settlements, [{ kind: 'nack', delayMs: 250 }]);
  });

  test('given a termed delivery, when acked or nacked afterwards, then only the term with its reason counts', () => {
    const delivery = new RecordingDelivery();
    delivery.term('dead-lettered');
    delivery.ack();
    delivery.nack();
    assert.deepEqual(delivery.settlements, [{ kind: 'term', reason: 'dead-lettered' }]);
  });

  test('given nack without a delay or with a negative one, when settled, then the delay is 0', () => {
    const plain = new RecordingDelivery();
    plain.nack();
    assert.deepEqual(plain.settlements, [{ kind: 'nack', delayMs: 0 }]);
    const negative = new RecordingDelivery();
    negative.nack(-50);
    assert.deepEqual(negative.settlements, [{ kind: 'nack', delayMs: 0 }]);
  });

  test('given the default working and recordFailure, when called, then they do nothing and do not settle', async () => {
    const delivery = new RecordingDelivery();
    delivery.working();
    await delivery.recordFailure(1);
    assert.equal(delivery.settled, false);
    assert.deepEqual(delivery.settlements, []);
  });
});

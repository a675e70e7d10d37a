/**
 * A delivery of one JetStream message: ack, nak with a delay and term map
 * onto the message's own; `working` extends its ack deadline.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { BaseDelivery, type Settlement } from '../../../core/delivery.ts';
import type { Envelope } from '../../../core/envelope.ts';
import type { ConsumerReader } from './consumer-reader.ts';

export interface DeliveryOwner {
  settle(delivery: NatsDelivery, settlement: Settlement): void;
  recordFailure(delivery: NatsDelivery, attempt: number): Promise<void>;
}

export class NatsDelivery extends BaseDelivery {
  readonly offset: number;

  constructor(
    readonly owner: DeliveryOwner,
    /** The reader that fetched it, which takes it back. */
    readonly reader: ConsumerReader,
    readonly message: JsMsg,
    readonly topic: string,
    readonly group: string,
    readonly partition: number,
    readonly event: Envelope,
    readonly attempt: number,
  ) {
    super();
    this.offset = message.seq;
  }

  override working(): void {
    if (!this.settled) this.message.working();
  }

  override recordFailure(attempt: number): Promise<void> {
    return this.owner.recordFailure(this, attempt);
  }

  protected settle(settlement: Settlement): void {
    this.owner.settle(this, settlement);
  }
}

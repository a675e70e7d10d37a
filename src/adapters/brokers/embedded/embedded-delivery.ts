import { BaseDelivery, type Settlement } from '../../../core/delivery.ts';
import type { Envelope } from '../../../core/envelope.ts';

/** Where a delivery reports back: the group reader that made it. */
export interface DeliverySink {
  settle(delivery: EmbeddedDelivery, settlement: Settlement): void;
  recordFailure(delivery: EmbeddedDelivery, attempt: number): Promise<void>;
}

export class EmbeddedDelivery extends BaseDelivery {
  constructor(
    readonly sink: DeliverySink,
    /** The member slot it was given to (opaque to the delivery). */
    readonly slot: object,
    /** The reader's lease epoch when delivered; settlements of older epochs are ignored. */
    readonly epoch: number,
    readonly topic: string,
    readonly group: string,
    readonly offset: number,
    readonly partition: number,
    readonly event: Envelope,
    readonly attempt: number,
  ) {
    super();
  }

  protected settle(settlement: Settlement): void {
    this.sink.settle(this, settlement);
  }

  override recordFailure(attempt: number): Promise<void> {
    return this.sink.recordFailure(this, attempt);
  }
}

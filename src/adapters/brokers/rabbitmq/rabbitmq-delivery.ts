/**
 * A delivery of one stream message to one member. Settling goes back to
 * the member, which keeps the partition's position below every unsettled
 * offset. `working` does nothing: a partition is held by its lease, not by
 * a per-delivery deadline.
 */
import { BaseDelivery, type Settlement } from '../../../core/delivery.ts';
import type { Envelope } from '../../../core/envelope.ts';

export interface DeliveryOwner {
  settle(delivery: RabbitMqDelivery, settlement: Settlement): void;
  recordFailure(delivery: RabbitMqDelivery, attempt: number): Promise<void>;
}

export class RabbitMqDelivery extends BaseDelivery {
  readonly #owner: DeliveryOwner;

  constructor(
    owner: DeliveryOwner,
    readonly topic: string,
    readonly group: string,
    readonly offset: number,
    readonly partition: number,
    readonly event: Envelope,
    readonly attempt: number,
    /** The hold this was delivered under; a later hold of the same partition ignores it. */
    readonly hold: object,
  ) {
    super();
    this.#owner = owner;
  }

  override recordFailure(attempt: number): Promise<void> {
    return this.#owner.recordFailure(this, attempt);
  }

  protected settle(settlement: Settlement): void {
    this.#owner.settle(this, settlement);
  }
}

/**
 * A delivery of one stream entry to one member. Settling goes back to the
 * member (ack: XACK; nack: queued again, or left pending for the
 * partition's next holder). `working` does nothing: a member's lease is
 * per partition and renewed by its heartbeat, not per delivery.
 */
import { BaseDelivery, type Settlement } from '../../../core/delivery.ts';
import type { Envelope } from '../../../core/envelope.ts';
import type { PartitionState, PendingEntry } from './partition-state.ts';

export interface DeliveryOwner {
  settle(delivery: RedisDelivery, settlement: Settlement): void;
  recordFailure(delivery: RedisDelivery, attempt: number): Promise<void>;
}

export class RedisDelivery extends BaseDelivery {
  readonly topic: string;
  readonly group: string;
  readonly offset: number;
  readonly partition: number;
  readonly event: Envelope;
  readonly attempt: number;
  readonly entry: PendingEntry;
  readonly state: PartitionState;
  /** Failures of this event are on record in Redis (to delete once it is done with). */
  recorded: boolean;
  readonly #owner: DeliveryOwner;

  constructor(
    owner: DeliveryOwner,
    state: PartitionState,
    topic: string,
    group: string,
    entry: PendingEntry,
  ) {
    super();
    this.#owner = owner;
    this.state = state;
    this.topic = topic;
    this.group = group;
    this.entry = entry;
    this.offset = entry.offset;
    this.partition = state.partition;
    this.event = entry.event;
    this.attempt = entry.attempt;
    this.recorded = entry.attempt > 1;
  }

  override recordFailure(attempt: number): Promise<void> {
    this.recorded = true;
    return this.#owner.recordFailure(this, attempt);
  }

  protected settle(settlement: Settlement): void {
    this.#owner.settle(this, settlement);
  }
}

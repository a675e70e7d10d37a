/**
 * One member of a group in this process, as its group reader sees it: how
 * many of its deliveries are unsettled and how many it may hold.
 */
import type { Position } from '../../../core/position.ts';
import type { TransportConsumer } from '../../../core/transport.ts';
import type { EmbeddedDelivery } from './embedded-delivery.ts';

/** The group reader, as far as its members need it. */
export interface SlotOwner {
  /** Pauses delivery until nothing is in flight, then reassigns partitions. */
  rebalance(): void;
  leave(slot: MemberSlot): Promise<void>;
}

export class MemberSlot implements TransportConsumer {
  inFlight = 0;
  stopped = false;

  constructor(
    readonly owner: SlotOwner,
    readonly deliver: (delivery: EmbeddedDelivery) => void,
    readonly maxInFlight: number,
    /** Where the group starts if it is new (the first member's wish counts). */
    readonly start: Position,
  ) {}

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.owner.rebalance();
  }

  close(): Promise<void> {
    this.stop();
    return this.owner.leave(this);
  }
}

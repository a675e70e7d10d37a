/**
 * Consumes one topic for one group in this process: holds the group's
 * lease, reads the log from the group's position, hands each event to one
 * member (by partition), tracks settlements and commits the position.
 *
 * Membership changes stop the world: delivery pauses until nothing is in
 * flight, then partitions are assigned anew. No event of a key can then
 * overtake an earlier one that another member still holds.
 */
import type { Settlement } from '../../../core/delivery.ts';
import type { Envelope } from '../../../core/envelope.ts';
import { partitionOf } from '../../../core/partition.ts';
import type { Position } from '../../../core/position.ts';
import type { SqliteDatabase } from '../../db/sqlite/sqlite-database.ts';
import { AckWindow } from './ack-window.ts';
import { type DeliverySink, EmbeddedDelivery } from './embedded-delivery.ts';
import { releaseLease, renewLease } from './group-lease.ts';
import { claimGroup, commitPosition, type GroupStart, recordAttempt } from './group-positions.ts';
import { MemberSlot, type SlotOwner } from './member-slot.ts';
import type { RateCounters } from './rate-counters.ts';
import type { LogTopic } from './topic-registry.ts';

const READ_BATCH = 512;

export interface GroupReaderOptions {
  readonly database: SqliteDatabase;
  readonly topic: LogTopic;
  readonly group: string;
  /** This log instance's lease identity. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly commitIntervalMs: number;
  readonly counters: RateCounters;
  readonly onError: (error: Error) => void;
  /** The last member left and the reader has shut down. */
  readonly onEmpty: () => void;
}

type Pending = { readonly offset: number; readonly event: Envelope; readonly partition: number };

export class GroupReader implements DeliverySink, SlotOwner {
  readonly #o: GroupReaderOptions;
  readonly #members: MemberSlot[] = [];
  #assignment: MemberSlot[] = [];
  #state: 'idle' | 'standby' | 'active' | 'closed' = 'idle';
  #epoch = 0;
  #rebalancing = false;
  #window = new AckWindow(0);
  #cursor = 0;
  #buffer: Array<[number, string]> = [];
  #bufferHead = 0;
  /** The parsed head of the buffer, when it waits for its member to have room. */
  #held: Pending | undefined;
  #redeliver: Pending[] = [];
  #attempts = new Map<number, number>();
  #attemptsToForget: number[] = [];
  #inFlight = 0;
  #acked = 0;
  #committed = -1;
  #pumpScheduled = false;
  #pumping = false;
  #timers = new Set<NodeJS.Timeout>();
  #commitTimer: NodeJS.Timeout | undefined;
  #leaseTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: GroupReaderOptions) {
    this.#o = options;
  }

  get active(): boolean {
    return this.#state === 'active';
  }

  /** The live position while active (ahead of the last commit), else undefined. */
  get position(): number | undefined {
    return this.#state === 'active' ? this.#window.position : undefined;
  }

  get memberCount(): number {
    return this.#members.length;
  }

  join(
    deliver: (delivery: EmbeddedDelivery) => void,
    maxInFlight: number,
    start: Position,
  ): MemberSlot {
    const slot = new MemberSlot(this, deliver, maxInFlight, start);
    this.#members.push(slot);
    if (this.#state === 'idle') {
      this.#state = 'standby';
      void this.#activate();
    } else {
      this.rebalance();
    }
    return slot;
  }

  /** Pauses delivery until nothing is in flight, then reassigns partitions. */
  rebalance(): void {
    this.#rebalancing = true;
    this.#finishRebalance();
  }

  async leave(slot: MemberSlot): Promise<void> {
    const index = this.#members.indexOf(slot);
    if (index >= 0) this.#members.splice(index, 1);
    if (this.#members.length > 0) {
      this.rebalance();
      return;
    }
    this.#closing ??= this.#shutdown();
    await this.#closing;
  }

  /** Nudges delivery: new events were committed somewhere. */
  wake(): void {
    this.#schedulePump();
  }

  settle(delivery: EmbeddedDelivery, settlement: Settlement): void {
    const slot = delivery.slot as MemberSlot;
    slot.inFlight--;
    if (delivery.epoch !== this.#epoch) return;
    this.#inFlight--;
    if (settlement.kind === 'nack') {
      const pending = {
        offset: delivery.offset,
        event: delivery.event,
        partition: delivery.partition,
      };
      if (settlement.delayMs > 0) {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (delivery.epoch === this.#epoch) this.#requeue(pending);
        }, settlement.delayMs);
        this.#timers.add(timer);
      } else {
        this.#requeue(pending);
      }
    } else {
      this.#window.settle(delivery.offset);
      this.#acked++;
      if (this.#attempts.delete(delivery.offset)) this.#attemptsToForget.push(delivery.offset);
    }
    if (this.#rebalancing) this.#finishRebalance();
    this.#schedulePump();
  }

  async recordFailure(delivery: EmbeddedDelivery, attempt: number): Promise<void> {
    if (delivery.epoch !== this.#epoch) return;
    this.#attempts.set(delivery.offset, attempt);
    const { topic, group } = this.#o;
    await this.#o.database.writes.write((db) =>
      recordAttempt(db, topic.id, group, delivery.offset, attempt),
    );
  }

  #requeue(pending: Pending): void {
    // Keep redeliveries in offset order, so a key's events stay in order.
    let i = this.#redeliver.length;
    while (i > 0 && this.#redeliver[i - 1]!.offset > pending.offset) i--;
    this.#redeliver.splice(i, 0, pending);
    this.#schedulePump();
  }

  async #activate(): Promise<void> {
    if (this.#state !== 'standby') return;
    const { database, topic, group, owner, leaseMs } = this.#o;
    const start = this.#members[0]?.start ?? 'earliest';
    let loaded: GroupStart | undefined;
    try {
      loaded = await database.writes.write((db) =>
        claimGroup(db, topic, group, owner, leaseMs, start),
      );
    } catch (error) {
      this.#o.onError(error as Error);
    }
    if ((this.#state as string) !== 'standby') return;
    if (!loaded) {
      this.#leaseTimer = this.#timer(() => void this.#activate(), Math.min(1_000, leaseMs / 3));
      return;
    }
    this.#epoch++;
    this.#state = 'active';
    this.#window = new AckWindow(loaded.position);
    this.#cursor = loaded.position;
    this.#committed = loaded.position;
    this.#buffer = [];
    this.#bufferHead = 0;
    this.#held = undefined;
    this.#redeliver = [];
    this.#inFlight = 0;
    this.#attempts = new Map(loaded.attempts);
    this.#rebalancing = true;
    this.#finishRebalance();
    this.#commitTimer = setInterval(() => void this.#commit(), this.#o.commitIntervalMs);
    this.#leaseTimer = this.#timer(() => void this.#renew(), leaseMs / 3);
  }

  async #renew(): Promise<void> {
    const { database, topic, group, owner, leaseMs } = this.#o;
    if (this.#state !== 'active') return;
    let held = false;
    try {
      held = await database.writes.write((db) => renewLease(db, topic.id, group, owner, leaseMs));
    } catch (error) {
      this.#o.onError(error as Error);
      held = true; // a failed write says nothing about the lease; try again shortly
    }
    if (this.#state !== 'active') return;
    if (!held) {
      this.#o.onError(new Error(`lost the lease of group ${group} on ${topic.name}; standing by`));
      this.#demote();
      return;
    }
    this.#leaseTimer = this.#timer(() => void this.#renew(), leaseMs / 3);
  }

  /** Lost the lease: stop delivering, forget unsettled work, wait to take it again. */
  #demote(): void {
    clearInterval(this.#commitTimer);
    this.#epoch++;
    this.#state = 'standby';
    this.#leaseTimer = this.#timer(
      () => void this.#activate(),
      Math.min(1_000, this.#o.leaseMs / 3),
    );
  }

  #finishRebalance(): void {
    if (!this.#rebalancing || this.#state !== 'active' || this.#inFlight > 0) return;
    const live = this.#members.filter((slot) => !slot.stopped);
    if (live.length === 0) return;
    const partitions = this.#o.topic.partitions;
    this.#assignment = Array.from({ length: partitions }, (_, p) => live[p % live.length]!);
    this.#rebalancing = false;
    this.#schedulePump();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#pumping || this.#state !== 'active' || this.#rebalancing) return;
    this.#pumping = true;
    try {
      while (this.#redeliver.length > 0) {
        const pending = this.#redeliver[0]!;
        if (!this.#tryDeliver(pending)) return;
        this.#redeliver.shift();
      }
      for (;;) {
        if (!this.#held) {
          if (this.#bufferHead >= this.#buffer.length) {
            this.#buffer = this.#o.topic.readBatch.all(this.#cursor, READ_BATCH);
            this.#bufferHead = 0;
            if (this.#buffer.length === 0) return;
          }
          const [offset, body] = this.#buffer[this.#bufferHead]!;
          const event = parseStored(body);
          if (!event) {
            this.#o.onError(
              new Error(`offset ${offset} of ${this.#o.topic.name} is not an event; skipped`),
            );
            this.#bufferHead++;
            this.#cursor = offset + 1;
            this.#window.skipTo(this.#cursor);
            continue;
          }
          const key = event.partitionkey;
          const partition =
            key === undefined
              ? offset % this.#o.topic.partitions
              : partitionOf(key, this.#o.topic.partitions);
          this.#held = { offset, event, partition };
        }
        const pending = this.#held;
        if (!this.#tryDeliver(pending, true)) return;
        this.#held = undefined;
        this.#bufferHead++;
        this.#cursor = pending.offset + 1;
      }
    } catch (error) {
      this.#o.onError(error as Error);
      this.#timer(() => this.#schedulePump(), 1_000);
    } finally {
      this.#pumping = false;
    }
  }

  #tryDeliver(pending: Pending, fresh = false): boolean {
    const slot = this.#assignment[pending.partition]!;
    if (slot.inFlight >= slot.maxInFlight) return false;
    if (fresh) {
      this.#window.skipTo(pending.offset);
      this.#window.delivered(pending.offset);
    }
    slot.inFlight++;
    this.#inFlight++;
    const { topic, group } = this.#o;
    const delivery = new EmbeddedDelivery(
      this,
      slot,
      this.#epoch,
      topic.name,
      group,
      pending.offset,
      pending.partition,
      pending.event,
      (this.#attempts.get(pending.offset) ?? 0) + 1,
    );
    try {
      slot.deliver(delivery);
    } catch (error) {
      this.#o.onError(error as Error);
      delivery.nack(1_000);
    }
    return true;
  }

  async #commit(): Promise<void> {
    if (this.#state !== 'active') return;
    const position = this.#window.position;
    const acked = this.#acked;
    const forget = this.#attemptsToForget;
    if (position === this.#committed && acked === 0 && forget.length === 0) return;
    this.#acked = 0;
    this.#attemptsToForget = [];
    const { database, topic, group, owner } = this.#o;
    const epoch = this.#epoch;
    if (acked > 0) this.#o.counters.add(topic.id, group, acked);
    try {
      const held = await database.writes.write((db) =>
        commitPosition(db, topic.id, group, owner, position, forget),
      );
      if (epoch !== this.#epoch) return;
      if (held) this.#committed = position;
      else if (this.#state === 'active') {
        this.#o.onError(
          new Error(`lost the lease of group ${group} on ${topic.name}; standing by`),
        );
        this.#demote();
      }
    } catch (error) {
      this.#o.onError(error as Error);
    }
  }

  async #shutdown(): Promise<void> {
    const wasActive = this.#state === 'active';
    if (wasActive) await this.#commit();
    this.#state = 'closed';
    this.#epoch++;
    clearInterval(this.#commitTimer);
    clearTimeout(this.#leaseTimer);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const { database, topic, group, owner } = this.#o;
    if (!database.closed) {
      try {
        await database.writes.write((db) => releaseLease(db, topic.id, group, owner));
      } catch (error) {
        this.#o.onError(error as Error);
      }
    }
    this.#o.onEmpty();
  }

  #timer(callback: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      callback();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }
}

function parseStored(body: string): Envelope | undefined {
  try {
    const event = JSON.parse(body) as Envelope;
    return typeof event === 'object' && event !== null ? event : undefined;
  } catch {
    return undefined;
  }
}

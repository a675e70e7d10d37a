/**
 * One member of a consumer group (one `consume` call): a Redis consumer of
 * the group on every partition stream it holds the lease of
 * (partition-leases.ts). It reads them (stream-reader.ts), delivers each
 * partition's entries in stream order, at most `maxInFlight` unsettled,
 * and acknowledges with XACK (ack-buffer.ts).
 *
 * A nack puts the entry back in its partition's queue (after the delay);
 * the entry stays pending in Redis meanwhile, so if this process dies the
 * partition's next holder delivers it. Entries read but not yet delivered
 * are pending too, and are handed over the same way when the partition is
 * released or the member closes.
 */
import type { Redis } from 'ioredis';
import type { Delivery, Settlement } from '../../../core/delivery.ts';
import { EngineError } from '../../../core/errors.ts';
import { sleep } from '../../../core/sleep.ts';
import type { TransportConsumer } from '../../../core/transport.ts';
import { AckBuffer } from './ack-buffer.ts';
import { heartbeat, type LeaseView, leaveGroup, releasePartitions } from './partition-leases.ts';
import { PartitionState, type PendingEntry } from './partition-state.ts';
import { forgetIdleConsumers, takeOverPending } from './pending-takeover.ts';
import type { RateCounters } from './rate-counters.ts';
import type { RebalanceSignals } from './rebalance-signals.ts';
import type { RedisConnections } from './redis-connections.ts';
import { type DeliveryOwner, RedisDelivery } from './redis-delivery.ts';
import type { GroupKeys, TopicKeys } from './redis-keys.ts';
import { parseEntry, type RawEntry } from './stream-entry.ts';
import { StreamReader } from './stream-reader.ts';

export interface GroupMemberOptions {
  readonly connections: RedisConnections;
  readonly keys: TopicKeys;
  readonly group: string;
  /** This member's consumer name in Redis, unique. */
  readonly name: string;
  readonly leaseMs: number;
  readonly blockMs: number;
  readonly maxInFlight: number;
  readonly rates: RateCounters;
  readonly signals: RebalanceSignals;
  readonly deliver: (delivery: Delivery) => void;
  readonly onError: (error: Error) => void;
  /** Recreates the group on streams that lost it (a server restart without persistence). */
  readonly recreateGroup: () => Promise<void>;
  /** Called once the member has left. */
  readonly onClosed: () => void;
}

export class GroupMember implements TransportConsumer, DeliveryOwner {
  readonly #o: GroupMemberOptions;
  readonly #group: GroupKeys;
  readonly #client: Redis;
  readonly #acks: AckBuffer;
  readonly #partitions = new Map<number, PartitionState>();
  #inFlight = 0;
  #queued = 0;
  #stopped = false;
  #closing: Promise<void> | undefined;
  #view: LeaseView = { shareSize: 0, held: new Map() };
  #beating: Promise<void> | undefined;
  #beatAgain = false;
  #beatTimer: NodeJS.Timeout | undefined;
  #shareWaiter: (() => void) | undefined;
  #reader: StreamReader | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  /** Failed tries recorded by offset, for the attempt number of a redelivery in this process. */
  readonly #recorded = new Map<number, number>();

  private constructor(options: GroupMemberOptions) {
    this.#o = options;
    this.#group = options.keys.group(options.group);
    this.#client = options.connections.command;
    this.#acks = new AckBuffer(this.#client, options.group, this.#group.attempts, options.onError);
  }

  /** Joins: takes what is free of its share, and waits (up to a lease) for the rest to be released. */
  static async start(options: GroupMemberOptions): Promise<GroupMember> {
    const member = new GroupMember(options);
    member.#unlisten = await options.signals.listen(member.#group.rebalance, () => member.#beat());
    await member.#beat();
    await options.signals.signal(member.#group.rebalance);
    await member.#waitForShare(options.leaseMs);
    member.#reader = member.#startReader();
    return member;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const state of this.#partitions.values()) this.#startRelease(state);
    this.#reader?.stop();
  }

  close(): Promise<void> {
    this.#closing ??= this.#leave();
    return this.#closing;
  }

  settle(delivery: RedisDelivery, settlement: Settlement): void {
    const state = delivery.state;
    this.#inFlight--;
    state.inFlight--;
    if (settlement.kind === 'nack') {
      if (state.phase === 'reading' && !this.#stopped)
        this.#requeue(state, delivery.entry, settlement.delayMs);
      // Otherwise it stays pending in Redis, and the partition's next holder delivers it.
    } else {
      state.known.delete(delivery.entry.id);
      this.#acks.add(
        state.stream,
        delivery.entry.id,
        delivery.recorded ? delivery.offset : undefined,
      );
      this.#recorded.delete(delivery.offset);
      this.#o.rates.add(this.#o.keys, this.#o.group, 1);
    }
    if (state.phase === 'releasing') void this.#finishRelease(state);
    this.#pump();
    this.#reader?.wakeIdle();
  }

  async recordFailure(delivery: RedisDelivery, attempt: number): Promise<void> {
    this.#recorded.set(delivery.offset, attempt);
    await this.#client.hset(this.#group.attempts, String(delivery.offset), attempt);
  }

  // --- membership -------------------------------------------------------

  #beat(): Promise<void> {
    if (this.#closing) return Promise.resolve();
    if (this.#beating) {
      this.#beatAgain = true;
      return this.#beating;
    }
    clearTimeout(this.#beatTimer);
    this.#beating = (async () => {
      do {
        this.#beatAgain = false;
        try {
          const { leaseMs, name } = this.#o;
          const view = await heartbeat(this.#client, this.#group, name, leaseMs, !this.#stopped);
          if (!this.#closing) this.#apply(view);
        } catch (error) {
          this.#o.onError(error as Error);
        }
      } while (this.#beatAgain && !this.#closing);
    })().finally(() => {
      this.#beating = undefined;
      if (!this.#closing) {
        this.#beatTimer = setTimeout(() => void this.#beat(), this.#o.leaseMs / 3);
      }
    });
    return this.#beating;
  }

  #apply(view: LeaseView): void {
    this.#view = view;
    for (const [p, state] of this.#partitions) {
      if (view.held.has(p)) continue;
      this.#forget(state);
      this.#o.onError(
        new EngineError(
          `lost the lease of partition ${p} of ${this.#o.keys.topic} (group ${this.#o.group}); its next holder redelivers what was in flight`,
        ),
      );
    }
    for (const [p, share] of view.held) {
      let state = this.#partitions.get(p);
      if (!state) {
        state = new PartitionState(p, this.#o.keys.streams[p]!);
        this.#partitions.set(p, state);
        if (share && !this.#stopped) void this.#takeOver(state);
        else this.#startRelease(state);
      } else if (!share || this.#stopped) {
        this.#startRelease(state);
      }
    }
    this.#checkShare();
  }

  async #takeOver(state: PartitionState): Promise<void> {
    const { group, name, keys } = this.#o;
    for (let wait = 100; state.phase === 'recovering'; wait = Math.min(wait * 2, 2_000)) {
      try {
        const taken = await takeOverPending(this.#client, {
          stream: state.stream,
          group,
          member: name,
          topic: keys.topic,
          attempts: this.#group.attempts,
        });
        for (const id of taken.unreadable) this.#skip(state, id);
        if (state.phase !== 'recovering') return; // released or lost meanwhile: still pending in Redis
        state.append(taken.entries);
        this.#queued += taken.entries.length;
        state.phase = 'reading';
        this.#checkShare();
        this.#pump();
        this.#reader?.wake();
        void forgetIdleConsumers(this.#client, state.stream, group, this.#group.members).catch(
          () => {},
        );
        return;
      } catch (error) {
        if (this.#isMissingGroup(error)) await this.#recreateGroup();
        else this.#o.onError(error as Error);
        await sleep(wait);
      }
    }
  }

  #startRelease(state: PartitionState): void {
    if (state.phase === 'releasing' || state.phase === 'gone') return;
    state.phase = 'releasing';
    this.#queued -= state.clear();
    if (this.#reader?.isReading(state.partition)) this.#reader.wake();
    void this.#finishRelease(state);
  }

  /** Releases once nothing of the partition is in flight or being read, and acks are in. */
  async #finishRelease(state: PartitionState): Promise<void> {
    if (state.phase !== 'releasing' || state.releasing || this.#closing) return;
    if (state.inFlight > 0 || this.#reader?.isReading(state.partition)) return;
    state.releasing = (async () => {
      await this.#acks.flush();
      try {
        await releasePartitions(this.#client, this.#group, this.#o.name, [state.partition]);
      } catch (error) {
        this.#o.onError(error as Error); // the lease lapses by itself
      }
      if (this.#partitions.get(state.partition) === state) this.#partitions.delete(state.partition);
      state.phase = 'gone';
      await this.#o.signals.signal(this.#group.rebalance);
    })();
  }

  #forget(state: PartitionState): void {
    this.#queued -= state.clear();
    state.phase = 'gone';
    if (this.#partitions.get(state.partition) === state) this.#partitions.delete(state.partition);
  }

  #checkShare(): void {
    if (!this.#shareWaiter) return;
    let ready = 0;
    for (const [p, share] of this.#view.held) {
      if (share && this.#partitions.get(p)?.phase === 'reading') ready++;
    }
    if (ready >= this.#view.shareSize) this.#shareWaiter();
  }

  async #waitForShare(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#shareWaiter = done;
      this.#checkShare();
    });
    this.#shareWaiter = undefined;
  }

  async #leave(): Promise<void> {
    this.stop();
    await this.#reader?.close();
    clearTimeout(this.#beatTimer);
    await this.#beating;
    await this.#acks.flush();
    this.#acks.close();
    for (const state of this.#partitions.values()) this.#forget(state);
    try {
      await leaveGroup(this.#client, this.#group, this.#o.name);
      await this.#o.signals.signal(this.#group.rebalance);
    } catch (error) {
      this.#o.onError(error as Error); // its leases lapse by themselves
    }
    await this.#unlisten?.();
    this.#o.onClosed();
  }

  // --- reading and delivering ------------------------------------------

  #startReader(): StreamReader {
    return new StreamReader({
      connections: this.#o.connections,
      group: this.#o.group,
      name: this.#o.name,
      blockMs: this.#o.blockMs,
      plan: () => {
        const room = this.#o.maxInFlight - this.#inFlight - this.#queued;
        // With entries still queued, read again once half the window is free, not after
        // every settle: fewer and larger reads.
        if (this.#queued > 0 && room < this.#o.maxInFlight / 2) return undefined;
        const states = [...this.#partitions.values()].filter((s) => s.phase === 'reading');
        return { states, room };
      },
      accept: (state, rows) => this.#accept(state, rows),
      afterRead: () => {
        for (const state of this.#partitions.values()) void this.#finishRelease(state);
        this.#pump();
      },
      flushAcks: () => this.#acks.flush(),
      failed: async (error) => {
        if (this.#isMissingGroup(error)) await this.#recreateGroup();
        else this.#o.onError(error as Error);
      },
    });
  }

  #accept(state: PartitionState, rows: readonly RawEntry[]): void {
    // Not reading it any more: the entries stay pending for the partition's next holder.
    if (state.phase !== 'reading' || this.#partitions.get(state.partition) !== state) return;
    const entries: PendingEntry[] = [];
    for (const row of rows) {
      const entry = parseEntry(row, this.#o.keys.topic);
      if (entry.event === undefined || !Number.isFinite(entry.offset)) this.#skip(state, entry.id);
      else entries.push({ id: entry.id, offset: entry.offset, event: entry.event, attempt: 1 });
    }
    state.append(entries);
    this.#queued += entries.length;
  }

  #skip(state: PartitionState, id: string): void {
    this.#o.onError(
      new EngineError(
        `entry ${id} of ${state.stream} is no event of this broker (no offset, or no readable body); skipped`,
      ),
    );
    this.#acks.add(state.stream, id);
  }

  /**
   * Delivers while there is room, always the queued entry with the lowest
   * offset among the partitions: in stream order within a partition, and
   * in offset order across them as far as one read shows.
   */
  #pump(): void {
    if (this.#stopped) return;
    while (this.#inFlight < this.#o.maxInFlight) {
      let next: PartitionState | undefined;
      let lowest = Number.POSITIVE_INFINITY;
      for (const state of this.#partitions.values()) {
        if (state.phase !== 'reading') continue;
        const head = state.peek();
        if (head && head.offset < lowest) {
          lowest = head.offset;
          next = state;
        }
      }
      if (!next) return;
      this.#queued--;
      this.#deliver(next, next.shift()!);
    }
  }

  #deliver(state: PartitionState, entry: PendingEntry): void {
    const delivery = new RedisDelivery(this, state, this.#o.keys.topic, this.#o.group, entry);
    this.#inFlight++;
    state.inFlight++;
    try {
      this.#o.deliver(delivery);
    } catch (error) {
      this.#o.onError(error as Error);
      delivery.nack(1_000);
    }
  }

  #requeue(state: PartitionState, entry: PendingEntry, delayMs: number): void {
    const recorded = this.#recorded.get(entry.offset);
    const again = recorded === undefined ? entry : { ...entry, attempt: recorded + 1 };
    const put = () => {
      if (state.phase !== 'reading' || this.#stopped) return;
      state.insert(again);
      this.#queued++;
      this.#pump();
    };
    if (delayMs <= 0) {
      put();
      return;
    }
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      put();
    }, delayMs);
    state.timers.add(timer);
  }

  #isMissingGroup(error: unknown): boolean {
    return String((error as Error)?.message).startsWith('NOGROUP');
  }

  async #recreateGroup(): Promise<void> {
    try {
      await this.#o.recreateGroup();
      this.#o.onError(
        new EngineError(
          `group ${this.#o.group} of ${this.#o.keys.topic} was missing on the server (restarted without persistence?); created it again`,
        ),
      );
    } catch (error) {
      this.#o.onError(error as Error);
    }
  }
}

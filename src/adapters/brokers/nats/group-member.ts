/**
 * One member of a consumer group (one `consume` call). It pulls the
 * group's durable consumer of every partition whose lease it holds
 * (partition-leases.ts), plus the group's consumer of the unkeyed subject,
 * which all members pull side by side (those events have no order to
 * keep). Its unsettled deliveries never exceed `maxInFlight`, split evenly
 * between the consumers it reads.
 *
 * A partition that is no longer its share is handed over cleanly: the
 * member stops fetching, gives back what arrived after that (nak), waits
 * until its deliveries of the partition are settled and only then writes
 * the lease free, so the next holder starts exactly after it. Membership
 * changes are announced on a core NATS subject so members rebalance at
 * once; the heartbeat (every `leaseMs / 3`) reconciles anyway.
 */
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Delivery, Settlement } from '../../../core/delivery.ts';
import type { TransportConsumer } from '../../../core/transport.ts';
import type { AttemptStore } from './attempt-store.ts';
import { ConsumerReader } from './consumer-reader.ts';
import { InFlightBudget } from './in-flight-budget.ts';
import { adoptJsMsg, type DeliveryOwner, NatsDelivery } from './nats-delivery.ts';
import { type TopicNames, UNKEYED } from './nats-names.ts';
import type { PartitionLeases } from './partition-leases.ts';

/** Acks sent in one write at most. */
const ACK_BATCH = 1000;

export interface GroupMemberOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly names: TopicNames;
  readonly group: string;
  /** This member's name, unique. */
  readonly name: string;
  readonly leases: PartitionLeases;
  readonly attempts: AttemptStore;
  readonly leaseMs: number;
  readonly ackWaitMs: number;
  readonly maxInFlight: number;
  readonly deliver: (delivery: Delivery) => void;
  readonly onError: (error: Error) => void;
  readonly onClosed: () => void;
}

export class GroupMember implements TransportConsumer, DeliveryOwner {
  readonly #o: GroupMemberOptions;
  readonly #base: string;
  readonly #readers = new Map<number, ConsumerReader>();
  readonly #releasing = new Set<number>();
  readonly #recorded = new Set<NatsDelivery>();
  readonly #budget: InFlightBudget;
  #unkeyed: ConsumerReader | undefined;
  #stopped = false;
  #closing: Promise<void> | undefined;
  #share = -1;
  #beating: Promise<void> | undefined;
  #beatAgain = false;
  #timers: NodeJS.Timeout[] = [];
  #signals: Subscription | undefined;
  #shareWaiter: (() => void) | undefined;
  /** Acknowledged, the ack not sent yet. */
  #acks: NatsDelivery[] = [];

  private constructor(options: GroupMemberOptions) {
    this.#o = options;
    this.#base = options.names.leaseBase(options.group);
    this.#budget = new InFlightBudget(options.maxInFlight);
  }

  /** Joins: takes what is free of its share, and waits (up to a lease) for the rest to be released. */
  static async start(options: GroupMemberOptions): Promise<GroupMember> {
    const member = new GroupMember(options);
    member.#signals = options.nc.subscribe(options.names.rebalanceSubject(options.group), {
      callback: () => void member.#beat(),
    });
    member.#unkeyed = member.#reader(UNKEYED);
    await member.#beat();
    member.#signal();
    await member.#waitForShare(options.leaseMs);
    member.#timers.push(
      setInterval(() => void member.#beat(), Math.max(100, options.leaseMs / 3)),
      setInterval(() => member.#keepAlive(), Math.max(300, options.ackWaitMs / 3)),
    );
    return member;
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#unkeyed?.stop();
    for (const reader of this.#readers.values()) reader.stop();
  }

  close(): Promise<void> {
    this.#closing ??= this.#leave();
    return this.#closing;
  }

  settle(delivery: NatsDelivery, settlement: Settlement): void {
    if (settlement.kind === 'ack') {
      // Acks go out together (one socket write for many); a delivery counts as held until its ack is sent.
      // They go once the deliveries of this read are handled (nextTick runs after the microtasks), not
      // after the whole poll phase: held that long, deliveries outlive young-generation GCs and get promoted.
      this.#acks.push(delivery);
      if (this.#acks.length >= ACK_BATCH) this.#sendAcks();
      else if (this.#acks.length === 1) process.nextTick(() => this.#sendAcks());
      return;
    }
    const { message } = delivery;
    if (settlement.kind === 'nack') delivery.reader.giveBack(message, settlement.delayMs);
    // Without a reason: nats-server before 2.10 does not read '+TERM <reason>' as a term.
    // The reason is on the dead letter.
    else message.term();
    this.#settled(delivery, settlement.kind !== 'nack');
    this.#nudgeAll(); // room for every reader of the member
  }

  #sendAcks(): void {
    const acks = this.#acks;
    if (acks.length === 0) return;
    this.#acks = [];
    for (const delivery of acks) delivery.message.ack();
    for (const delivery of acks) this.#settled(delivery, true);
    this.#nudgeAll();
  }

  #settled(delivery: NatsDelivery, final: boolean): void {
    if (final && this.#recorded.delete(delivery)) {
      this.#o.attempts.forget(
        this.#o.names.attemptsSubject(this.#o.group, delivery.offset),
        this.#o.onError,
      );
    }
    delivery.reader.settled(delivery.message);
  }

  async recordFailure(delivery: NatsDelivery, attempt: number): Promise<void> {
    this.#recorded.add(delivery);
    await this.#o.attempts.record(
      this.#o.names.attemptsSubject(this.#o.group, delivery.offset),
      attempt,
    );
  }

  // --- deliveries ---------------------------------------------------------

  #reader(partition: number | typeof UNKEYED, holdOffMs = 0): ConsumerReader {
    const { names, group } = this.#o;
    const share = this.#budget.join();
    const reader = new ConsumerReader({
      js: this.#o.js,
      stream: names.stream,
      consumer: names.consumer(group, partition),
      ordered: partition !== UNKEYED,
      share,
      take: (message, reader) => this.#take(message, reader, partition),
      onError: this.#o.onError,
      onRoom: () => this.#nudgeAll(),
      holdOffMs,
    });
    // Its share goes once it has stopped and what it delivered is settled.
    void reader.done
      .then(() => reader.idle())
      .then(() => {
        this.#budget.leave(share);
        this.#nudgeAll();
      });
    return reader;
  }

  /** Hands a message on as a delivery; false once the member has stopped. */
  #take(
    message: JsMsg,
    reader: ConsumerReader,
    partition: number | typeof UNKEYED,
  ): boolean | Promise<boolean> {
    if (message.info.deliveryCount <= 1) return this.#deliver(message, reader, partition, 0);
    const subject = this.#o.names.attemptsSubject(this.#o.group, message.seq);
    return this.#o.attempts.recorded(subject).then(
      (failures) => this.#deliver(message, reader, partition, failures),
      (error: Error) => {
        this.#o.onError(error);
        return this.#deliver(message, reader, partition, 0);
      },
    );
  }

  #deliver(
    message: JsMsg,
    reader: ConsumerReader,
    partition: number | typeof UNKEYED,
    failures: number,
  ): boolean {
    if (this.#stopped) return false;
    const { names, group } = this.#o;
    const p = partition === UNKEYED ? message.seq % names.partitions : partition;
    const event = adoptJsMsg(message, names.topic);
    const delivery = new NatsDelivery(
      this,
      reader,
      message,
      names.topic,
      group,
      p,
      event,
      failures + 1,
    );
    if (failures > 0) this.#recorded.add(delivery);
    this.#o.deliver(delivery);
    return true;
  }

  #keepAlive(): void {
    this.#unkeyed?.keepAlive();
    for (const reader of this.#readers.values()) reader.keepAlive();
  }

  // --- membership -----------------------------------------------------------

  #beat(): Promise<void> {
    if (this.#closing) return Promise.resolve();
    if (this.#beating) {
      this.#beatAgain = true;
      return this.#beating;
    }
    this.#beating = (async () => {
      do {
        this.#beatAgain = false;
        try {
          await this.#beatOnce();
        } catch (error) {
          this.#o.onError(error as Error);
          // A restarted server has lost the memory stream of leases: make it again.
          await this.#o.leases.ensure().catch(() => {});
        }
      } while (this.#beatAgain && !this.#closing);
      this.#beating = undefined;
    })();
    return this.#beating;
  }

  async #beatOnce(): Promise<void> {
    const { leases, names, name } = this.#o;
    await leases.beat(this.#base, name);
    const members = await leases.members(this.#base);
    if (!members.includes(name)) members.push(name);
    members.sort();
    const index = members.indexOf(name);
    const owners = await Promise.all(
      names.partitionSubjects.map((_, p) => leases.owner(this.#base, p)),
    );
    let share = 0;
    for (let p = 0; p < owners.length; p++) {
      const mine = p % members.length === index;
      if (mine) share++;
      if (this.#releasing.has(p)) continue;
      const owner = owners[p]!;
      const reading = this.#readers.has(p);
      if (owner.holder === name || (reading && owner.holder === '')) {
        if (!mine || this.#stopped) void this.#release(p);
        else if (!(await leases.set(this.#base, p, name, owner.seq))) this.#lost(p);
        else if (!reading) this.#startReader(p, 0);
      } else if (reading) {
        this.#lost(p);
      } else if (mine && !this.#stopped && owner.holder === '') {
        if (await leases.set(this.#base, p, name, owner.seq)) {
          // No lease message at all: the last holder died (or there was none); what it
          // left unacked comes back after ack_wait and must go out before newer events.
          const hold = owner.seq === 0 ? await this.#leftUnacked(p) : false;
          this.#startReader(p, hold ? this.#o.ackWaitMs : 0);
        }
      }
    }
    this.#share = share;
    if (this.#readers.size >= share) this.#shareWaiter?.();
  }

  async #leftUnacked(p: number): Promise<boolean> {
    const { names, group } = this.#o;
    try {
      const info = await this.#o.jsm.consumers.info(names.stream, names.consumer(group, p));
      return info.num_ack_pending > 0;
    } catch {
      return false;
    }
  }

  #startReader(p: number, holdOffMs: number): void {
    this.#readers.set(p, this.#reader(p, holdOffMs));
    this.#nudgeAll();
  }

  /** Someone else holds the lease now (ours ran out): stop at once. */
  #lost(p: number): void {
    const reader = this.#readers.get(p);
    this.#readers.delete(p);
    reader?.stop();
    this.#o.onError(new Error(`lost the lease of partition ${p} of ${this.#o.names.topic}`));
    this.#nudgeAll();
  }

  async #release(p: number): Promise<void> {
    const reader = this.#readers.get(p);
    if (!reader || this.#releasing.has(p)) return;
    this.#releasing.add(p);
    try {
      reader.stop();
      await reader.done;
      await reader.idle();
      const owner = await this.#o.leases.owner(this.#base, p);
      if (owner.holder === this.#o.name) await this.#o.leases.set(this.#base, p, '', owner.seq);
    } catch (error) {
      this.#o.onError(error as Error);
    } finally {
      this.#readers.delete(p);
      this.#releasing.delete(p);
      this.#nudgeAll();
      if (!this.#closing) this.#signal();
    }
  }

  #nudgeAll(): void {
    this.#unkeyed?.nudge();
    for (const reader of this.#readers.values()) reader.nudge();
  }

  #signal(): void {
    try {
      this.#o.nc.publish(this.#o.names.rebalanceSubject(this.#o.group));
    } catch (error) {
      this.#o.onError(error as Error);
    }
  }

  #waitForShare(timeoutMs: number): Promise<void> {
    if (this.#readers.size >= this.#share && this.#share >= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#shareWaiter = undefined;
        resolve();
      }
      this.#shareWaiter = done;
    });
  }

  async #within(ms: number, what: string, work: Promise<unknown> | undefined): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.#o.onError(
          new Error(`closing ${this.#o.names.topic}/${this.#o.group}: gave up waiting for ${what}`),
        );
        resolve();
      }, ms);
    });
    await Promise.race([work, late]);
    clearTimeout(timer);
  }

  async #leave(): Promise<void> {
    this.stop();
    for (const timer of this.#timers) clearInterval(timer);
    // Bounded: what is still unsettled then comes back after ack_wait anyway.
    const limit = this.#o.ackWaitMs + 5_000;
    await this.#within(limit, 'the heartbeat', this.#beating);
    // A heartbeat that was running may have started a reader after `stop`.
    const readers = [this.#unkeyed, ...this.#readers.values()].filter(
      (r): r is ConsumerReader => r !== undefined,
    );
    for (const reader of readers) reader.stop();
    await this.#within(limit, 'the last fetch', Promise.all(readers.map((r) => r.done)));
    await this.#within(limit, 'settlements', Promise.all(readers.map((r) => r.idle())));
    const held = [...this.#readers.keys()].filter((p) => !this.#releasing.has(p));
    try {
      await Promise.all(
        held.map(async (p) => {
          const owner = await this.#o.leases.owner(this.#base, p);
          if (owner.holder === this.#o.name) await this.#o.leases.set(this.#base, p, '', owner.seq);
        }),
      );
      await this.#o.leases.leave(this.#base, this.#o.name);
    } catch (error) {
      this.#o.onError(error as Error); // the leases run out by themselves
    }
    this.#readers.clear();
    this.#signals?.unsubscribe();
    this.#signal();
    this.#o.onClosed();
  }
}

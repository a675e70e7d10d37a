/**
 * One member of a group on one topic. A topic is one stream; a group's
 * members split its partitions (the reader computes an event's partition
 * from its key), so a key's events keep their order across members:
 *
 * - membership: each member has an exclusive queue bound to the group's
 *   fanout exchange and announces itself there every rebalance interval;
 *   the members seen recently, sorted, give each its share (p % n);
 * - leases: holding partition p is holding the exclusive queue
 *   `...:lease:p`; RabbitMQ lets one connection declare it, and deletes it
 *   when that connection dies, so a killed member's partitions are free at
 *   once. A member gives a partition up only when nothing of it is in
 *   flight, after committing its position;
 * - reading: one stream consumer from the lowest position of the held
 *   partitions; events of partitions held elsewhere are skipped;
 * - positions: committed every commit interval to the partition's register
 *   (group-registers.ts), with recorded failures.
 *
 * A lost connection loses every lease: the member drops its partitions and
 * takes its share again once reconnected; what it had in flight is
 * redelivered from the committed positions (at least once).
 */
import { randomUUID } from 'node:crypto';
import type { Channel } from 'amqplib';
import type { Settlement } from '../../../core/delivery.ts';
import { describeError } from '../../../core/errors.ts';
import type { ConsumeOptions, TransportConsumer } from '../../../core/transport.ts';
import type { GroupRegisters } from './group-registers.ts';
import { PartitionHold } from './partition-hold.ts';
import type { RabbitMqConnection } from './rabbitmq-connection.ts';
import { type DeliveryOwner, RabbitMqDelivery } from './rabbitmq-delivery.ts';
import type { RabbitMqNames } from './rabbitmq-names.ts';
import { StreamCursor } from './stream-cursor.ts';

export interface GroupMemberOptions extends ConsumeOptions {
  readonly connection: RabbitMqConnection;
  readonly names: RabbitMqNames;
  readonly registers: GroupRegisters;
  readonly stream: string;
  readonly partitions: number;
  readonly commitIntervalMs: number;
  readonly rebalanceIntervalMs: number;
  /** Lease queues held in this process (they share one connection, which RabbitMQ cannot tell apart). */
  readonly localLeases: Set<string>;
  /** Where a partition without a committed position starts. */
  initialPosition(): Promise<number>;
  onAcked(count: number): void;
  onClosed(): void;
}

export class GroupMember implements TransportConsumer, DeliveryOwner {
  readonly id = randomUUID();
  readonly #o: GroupMemberOptions;
  readonly #onError: (error: Error) => void;
  readonly #held = new Map<number, PartitionHold>();
  readonly #peers = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #cursor: StreamCursor | undefined;
  #channel: Channel | undefined;
  #inFlight = 0;
  #stopped = false;
  #closed: Promise<void> | undefined;
  #ticking: Promise<void> | undefined;
  #tickAgain = false;
  #committing: Promise<void> = Promise.resolve();
  #interval: NodeJS.Timeout | undefined;
  #commitTimer: NodeJS.Timeout | undefined;
  #unwatch: () => void = () => {};

  private constructor(options: GroupMemberOptions) {
    this.#o = options;
    this.#onError = options.onError ?? (() => {});
  }

  static async start(options: GroupMemberOptions): Promise<GroupMember> {
    const member = new GroupMember(options);
    await member.#join();
    // Peers answer a hello at once: wait for them before taking a share.
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, options.rebalanceIntervalMs)));
    await member.#tick();
    member.#interval = setInterval(() => member.#schedule(), options.rebalanceIntervalMs);
    member.#commitTimer = setInterval(() => void member.#commit(), options.commitIntervalMs);
    member.#unwatch = options.connection.watch({
      down: () => member.#dropAll(),
      up: () => {
        member.#channel = undefined;
        member.#schedule();
      },
    });
    return member;
  }

  /** Partitions held now (for tests and stats). */
  get partitions(): number[] {
    return [...this.#held.keys()].sort((a, b) => a - b);
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  settle(delivery: RabbitMqDelivery, settlement: Settlement): void {
    this.#inFlight--;
    const hold = this.#held.get(delivery.partition);
    if (hold === delivery.hold) {
      if (settlement.kind === 'nack') {
        if (!this.#stopped) this.#redeliverLater(delivery, hold, settlement.delayMs);
      } else {
        hold.outstanding.delete(delivery.offset);
        hold.failures.delete(delivery.offset);
        this.#o.onAcked(1);
        if (hold.releasing && hold.outstanding.size === 0) this.#schedule();
      }
    }
    this.#pump();
  }

  async recordFailure(delivery: RabbitMqDelivery, attempt: number): Promise<void> {
    const hold = this.#held.get(delivery.partition);
    if (hold !== delivery.hold) return;
    hold.failures.set(delivery.offset, attempt);
    await this.#commit();
  }

  async #close(): Promise<void> {
    this.stop();
    clearInterval(this.#interval);
    clearInterval(this.#commitTimer);
    this.#unwatch();
    await this.#ticking?.catch(() => {});
    await this.#commit();
    await this.#cursor?.close();
    this.#cursor = undefined;
    for (const hold of [...this.#held.values()]) await this.#release(hold).catch(() => {});
    await this.#announce('leave').catch(() => {});
    await this.#channel?.close().catch(() => {});
    this.#o.onClosed();
  }

  async #join(): Promise<void> {
    const channel = await this.#o.connection.channel();
    channel.on('close', () => {
      if (this.#channel === channel) this.#channel = undefined;
    });
    const exchange = this.#o.names.members(this.#o.topic, this.#o.group);
    await channel.assertExchange(exchange, 'fanout', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, '');
    await channel.consume(
      queue,
      (message) => {
        const { id, kind } = announcementOf(message?.content);
        if (id === undefined || id === this.id) return;
        const known = this.#peers.has(id);
        if (kind === 'leave') this.#peers.delete(id);
        else this.#peers.set(id, Date.now());
        if (!known || kind !== 'alive') this.#schedule();
      },
      { noAck: true },
    );
    this.#channel = channel;
    await this.#announce('hello');
  }

  async #announce(kind: 'hello' | 'alive' | 'leave'): Promise<void> {
    const channel = this.#channel;
    if (!channel) return;
    const exchange = this.#o.names.members(this.#o.topic, this.#o.group);
    channel.publish(exchange, '', Buffer.from(JSON.stringify({ id: this.id, kind })));
  }

  #schedule(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#tickAgain = true;
      return;
    }
    void this.#tick();
  }

  #tick(): Promise<void> {
    this.#ticking = this.#rebalance()
      .catch((error: unknown) =>
        this.#onError(new Error(`rebalancing ${this.#o.group}: ${describeError(error)}`)),
      )
      .finally(() => {
        this.#ticking = undefined;
        if (this.#tickAgain && !this.#stopped) {
          this.#tickAgain = false;
          this.#schedule();
        }
      });
    return this.#ticking;
  }

  async #rebalance(): Promise<void> {
    if (!this.#o.connection.isUp) return;
    if (!this.#channel) await this.#join();
    else await this.#announce('alive');
    const now = Date.now();
    for (const [id, seen] of this.#peers) {
      if (now - seen > 3 * this.#o.rebalanceIntervalMs) this.#peers.delete(id);
    }
    const members = [this.id, ...this.#peers.keys()].sort();
    const index = members.indexOf(this.id);
    const wanted = new Set<number>();
    for (let p = 0; p < this.#o.partitions; p++) if (p % members.length === index) wanted.add(p);
    for (const hold of this.#held.values()) {
      if (!wanted.has(hold.partition)) hold.releasing = true;
      if (hold.releasing && hold.outstanding.size === 0) await this.#release(hold);
    }
    let added = false;
    for (const partition of wanted) {
      if (this.#stopped) return;
      if (!this.#held.has(partition) && (await this.#acquire(partition))) added = true;
    }
    // Also when partitions are held with no cursor: one that failed to open (a
    // stream a restarted node had not brought back yet) is tried again here,
    // where before the member held its partitions and read nothing, for good.
    if (added || (this.#held.size > 0 && !this.#cursor)) await this.#restartCursor();
    else if (this.#held.size === 0) await this.#closeCursor();
  }

  async #acquire(partition: number): Promise<boolean> {
    const { names, topic, group } = this.#o;
    const lease = names.lease(topic, group, partition);
    if (this.#o.localLeases.has(lease)) return false;
    try {
      await this.#o.connection.withChannel((channel) =>
        channel.assertQueue(lease, { exclusive: true, durable: false }),
      );
    } catch (error) {
      if ((error as { code?: number }).code === 405) return false; // held by another process
      throw error;
    }
    this.#o.localLeases.add(lease);
    try {
      const register = names.register(topic, group, partition);
      await this.#o.registers.declare(register);
      const loaded = await this.#o.registers.load(register);
      const next = loaded?.position ?? (await this.#o.initialPosition());
      this.#held.set(partition, new PartitionHold(partition, register, lease, next, loaded));
      return true;
    } catch (error) {
      this.#o.localLeases.delete(lease);
      await this.#deleteLease(lease).catch(() => {});
      throw error;
    }
  }

  async #release(hold: PartitionHold): Promise<void> {
    await this.#save(hold);
    this.#held.delete(hold.partition);
    await this.#deleteLease(hold.lease).catch(() => {});
    this.#o.localLeases.delete(hold.lease);
  }

  #deleteLease(lease: string): Promise<unknown> {
    return this.#o.connection.withChannel((channel) => channel.deleteQueue(lease));
  }

  #dropAll(): void {
    for (const hold of this.#held.values()) this.#o.localLeases.delete(hold.lease);
    this.#held.clear();
    void this.#closeCursor();
  }

  async #restartCursor(): Promise<void> {
    await this.#closeCursor();
    if (this.#held.size === 0 || this.#stopped) return;
    const from = Math.min(...[...this.#held.values()].map((hold) => hold.next));
    this.#cursor = await StreamCursor.open(this.#o.connection, this.#o.stream, from, {
      prefetch: Math.max(this.#o.maxInFlight, 64),
      onReadable: () => this.#pump(),
      onError: this.#onError,
    });
    this.#pump();
  }

  async #closeCursor(): Promise<void> {
    const cursor = this.#cursor;
    this.#cursor = undefined;
    await cursor?.close();
  }

  #pump(): void {
    const cursor = this.#cursor;
    while (cursor && !this.#stopped && this.#inFlight < this.#o.maxInFlight) {
      const message = cursor.take();
      if (!message) return;
      const offset = message.offset;
      const isEvent = message.isEvent;
      const partition = isEvent ? message.partition(this.#o.topic, this.#o.partitions) : -1;
      for (const hold of this.#held.values()) {
        if (hold.partition !== partition && !hold.releasing && hold.next <= offset) {
          hold.next = offset + 1;
        }
      }
      const hold = this.#held.get(partition);
      if (!hold || hold.releasing || offset < hold.next) continue;
      hold.next = offset + 1;
      hold.outstanding.add(offset);
      this.#deliver(hold, offset, message.event(this.#o.topic));
    }
  }

  #deliver(hold: PartitionHold, offset: number, event: RabbitMqDelivery['event']): void {
    this.#inFlight++;
    const attempt = (hold.failures.get(offset) ?? 0) + 1;
    const { topic, group } = this.#o;
    this.#o.deliver(
      new RabbitMqDelivery(this, topic, group, offset, hold.partition, event, attempt, hold),
    );
  }

  #redeliverLater(delivery: RabbitMqDelivery, hold: PartitionHold, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped || this.#held.get(hold.partition) !== hold) return;
      this.#deliver(hold, delivery.offset, delivery.event);
    }, delayMs);
    this.#timers.add(timer);
  }

  /** Saves every changed position, one commit at a time. */
  #commit(): Promise<void> {
    this.#committing = this.#committing.then(async () => {
      for (const hold of [...this.#held.values()]) {
        await this.#save(hold).catch((error: unknown) =>
          this.#onError(new Error(`committing ${this.#o.group}: ${describeError(error)}`)),
        );
      }
    });
    return this.#committing;
  }

  async #save(hold: PartitionHold): Promise<void> {
    const pending = hold.pending();
    if (!pending) return;
    await this.#o.registers.save(hold.register, pending.record);
    hold.saved(pending.key);
  }
}

function announcementOf(body: Buffer | undefined): { id?: string; kind?: string } {
  try {
    const value = JSON.parse(body?.toString('utf8') ?? '') as { id?: unknown; kind?: unknown };
    return typeof value.id === 'string' ? { id: value.id, kind: String(value.kind) } : {};
  } catch {
    return {}; // not from a member: ignore
  }
}

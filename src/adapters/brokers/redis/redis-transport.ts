/**
 * The broker over Redis Streams (Redis 7.0 or newer). A topic is one stream
 * per partition; a group is a consumer group of the same name on each of
 * them, whose members split the partitions by lease (partition-leases.ts)
 * so a key's events keep their order across members. Offsets come from a
 * per-topic counter taken in the same Lua script as the XADD
 * (event-appender.ts) and are stored in each entry.
 *
 * Durability, honestly: `publish` resolves on the reply to the script,
 * once the events are in the server's memory. That survives a kill -9 of
 * this process (`process-crash`); what survives a restart of Redis is the
 * server's configuration, read at `ready()` (server-persistence.ts): with
 * appendonly yes and appendfsync always the reply comes after the AOF
 * fsync and publish survives power loss; with everysec a Redis crash can
 * lose the last second; with no persistence at all (`appendonly no` and
 * `save ""`, as the shared development Redis runs) a Redis restart loses
 * every topic, group and position. `ready()` reports that last case
 * through `onError`, naming the address, and `persistence` tells it.
 *
 * Capabilities: replay from the start, an offset or a time (streams keep
 * their history unless `maxLength` trims them), delayed delivery
 * (delayed-events.ts). A delivery's attempt counts the failures recorded
 * for it, as on the embedded log; a redelivery after a crash is not
 * counted (XPENDING shows Redis's own delivery count).
 */

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Envelope, serializeEvent } from '../../../core/envelope.ts';
import { ConfigError, ConflictError, describeError, EngineError } from '../../../core/errors.ts';
import { partitionOf } from '../../../core/partition.ts';
import type { Position } from '../../../core/position.ts';
import type {
  ConsumeOptions,
  GroupInfo,
  PublishReceipt,
  ReadOptions,
  StoredEvent,
  TopicInfo,
  Transport,
  TransportCapabilities,
  TransportConsumer,
  TransportPublishOptions,
} from '../../../core/transport.ts';
import { DelayMover, scheduleEvents } from './delayed-events.ts';
import { EventAppender } from './event-appender.ts';
import { GroupMember } from './group-member.ts';
import { groupsOf } from './group-stats.ts';
import { readHistory } from './history-reader.ts';
import { ListImporter } from './list-import.ts';
import { liveMembers } from './partition-leases.ts';
import { RateCounters } from './rate-counters.ts';
import { RebalanceSignals } from './rebalance-signals.ts';
import { RedisConnections } from './redis-connections.ts';
import { PUBLISHED_FIELD, type TopicKeys } from './redis-keys.ts';
import {
  type RedisTransportOptions,
  type ResolvedRedisOptions,
  resolveRedisOptions,
} from './redis-options.ts';
import {
  durabilityOf,
  readServerPersistence,
  type ServerPersistence,
} from './server-persistence.ts';
import { offsetOfRaw, type RawEntry } from './stream-entry.ts';
import { createGroup, fieldOf, startIdOf } from './stream-positions.ts';
import { TopicRegistry } from './topic-registry.ts';

export class RedisTransport implements Transport {
  readonly #o: ResolvedRedisOptions;
  readonly #connections: RedisConnections;
  readonly #registry: TopicRegistry;
  readonly #appender: EventAppender;
  readonly #rates: RateCounters;
  readonly #mover: DelayMover;
  readonly #signals: RebalanceSignals;
  readonly #members = new Map<string, Set<GroupMember>>();
  readonly #groupsMade = new Set<string>();
  readonly #importers: ListImporter[] = [];
  #durability: TransportCapabilities['durability'] = 'process-crash';
  #persistence: ServerPersistence | undefined;
  #closed = false;

  constructor(url: string, options: RedisTransportOptions = {}) {
    this.#o = resolveRedisOptions(url, options);
    this.#connections = new RedisConnections(this.#o);
    const client = this.#connections.command;
    this.#registry = new TopicRegistry(client, this.#o.prefix, this.#o.partitions);
    this.#appender = new EventAppender(client, this.#o.maxLength);
    this.#rates = new RateCounters(client, this.#o.onError);
    this.#signals = new RebalanceSignals(this.#connections, this.#o.onError);
    this.#mover = new DelayMover({
      client,
      prefix: this.#o.prefix,
      registry: this.#registry,
      maxLength: this.#o.maxLength,
      pollMs: this.#o.delayPollMs,
      onError: this.#o.onError,
    });
  }

  get capabilities(): TransportCapabilities {
    return {
      engine: 'redis',
      replay: true,
      replayFromTime: true,
      delayedDelivery: true,
      durability: this.#durability,
      maxEventBytes: this.#o.maxEventBytes,
      partitions: this.#o.partitions,
    };
  }

  /** What the server keeps on disk, as read at `ready()`; undefined before. */
  get persistence(): ServerPersistence | undefined {
    return this.#persistence;
  }

  async ready(): Promise<void> {
    await this.#connections.connect();
    await this.#checkPersistence();
    for (const entry of this.#o.imports) {
      if (this.#importers.some((i) => i.list === entry.list)) continue;
      this.#importers.push(
        ListImporter.start({
          ...entry,
          connections: this.#connections,
          transport: this,
          sweepMs: this.#o.leaseMs,
          onError: this.#o.onError,
        }),
      );
    }
  }

  async publish(
    topic: string,
    events: readonly Envelope[],
    options?: TransportPublishOptions,
  ): Promise<PublishReceipt> {
    const bodies = events.map((event) => this.#serialize(event));
    try {
      const keys = await this.#registry.ensure(topic);
      const partitions = events.map((event) =>
        event.partitionkey === undefined ? -1 : partitionOf(event.partitionkey, keys.partitions),
      );
      const deliverAt = options?.deliverAt;
      if (deliverAt !== undefined && deliverAt > Date.now()) {
        const client = this.#connections.command;
        await scheduleEvents(client, this.#o.prefix, keys, partitions, bodies, deliverAt);
        this.#mover.wake();
        return { offsets: bodies.map(() => undefined) };
      }
      const offsets = await this.#appender.append(keys, partitions, bodies);
      this.#rates.add(keys, PUBLISHED_FIELD, bodies.length);
      return { offsets };
    } catch (error) {
      throw new EngineError(
        `redis at ${this.#connections.address}: publish to ${topic} failed: ${describeError(error)}`,
        { topic, cause: error },
      );
    }
  }

  async consume(options: ConsumeOptions): Promise<TransportConsumer> {
    const keys = await this.#registry.ensure(options.topic);
    await this.#ensureGroup(keys, options.group, options.start);
    this.#mover.wake();
    const id = `${options.topic}\u0000${options.group}`;
    const local = this.#members.get(id) ?? new Set<GroupMember>();
    this.#members.set(id, local);
    const member = await GroupMember.start({
      connections: this.#connections,
      keys,
      group: options.group,
      name: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`,
      leaseMs: this.#o.leaseMs,
      blockMs: this.#o.blockMs,
      maxInFlight: options.maxInFlight,
      rates: this.#rates,
      signals: this.#signals,
      deliver: options.deliver,
      onError: options.onError ?? this.#o.onError,
      recreateGroup: () => this.#ensureGroup(keys, options.group, 'earliest', true),
      onClosed: () => local.delete(member),
    });
    local.add(member);
    return member;
  }

  read(topic: string, options: ReadOptions): AsyncIterable<StoredEvent> {
    return readHistory(
      { connections: this.#connections, registry: this.#registry, blockMs: this.#o.blockMs },
      topic,
      options,
    );
  }

  async resetGroup(topic: string, group: string, position: Position): Promise<void> {
    const keys = await this.#registry.ensure(topic);
    const client = this.#connections.command;
    if ((this.#members.get(`${topic}\u0000${group}`)?.size ?? 0) > 0) {
      throw new ConflictError(
        `group ${group} on ${topic} is consuming in this process; close its subscriptions first`,
        { topic, group },
      );
    }
    if ((await liveMembers(client, keys.group(group))) > 0) {
      throw new ConflictError(
        `group ${group} on ${topic} is consuming in another process; stop it first`,
        { topic, group },
      );
    }
    // A new group at the position: no pending entries of the old one are redelivered.
    for (const stream of keys.streams) {
      const id = await startIdOf(client, stream, position);
      await client.call('XGROUP', 'DESTROY', stream, group).catch(() => 0);
      await createGroup(client, stream, group, id);
    }
    await client.del(keys.group(group).attempts);
    this.#groupsMade.add(`${topic}\u0000${group}`);
  }

  async topics(): Promise<TopicInfo[]> {
    const client = this.#connections.command;
    const all = await this.#registry.all();
    return Promise.all(
      all.map(async (keys) => {
        const pipeline = client.pipeline().get(keys.seq);
        for (const stream of keys.streams) pipeline.xrange(stream, '-', '+', 'COUNT', 1);
        const [[, seq], ...firsts] = ((await pipeline.exec()) ?? []) as [
          [Error | null, unknown],
          ...Array<[Error | null, unknown]>,
        ];
        const head = Number(seq ?? 0) + 1;
        let first = head;
        for (const [, rows] of firsts) {
          const row = (rows as RawEntry[] | undefined)?.[0];
          const offset = row ? offsetOfRaw(row) : Number.NaN;
          if (Number.isFinite(offset)) first = Math.min(first, offset);
        }
        const [publishRate] = await this.#rates.rates(keys, [PUBLISHED_FIELD]);
        return {
          topic: keys.topic,
          partitions: keys.partitions,
          head,
          first,
          published: head - 1,
          publishRate: publishRate!,
        };
      }),
    );
  }

  async groups(topic?: string): Promise<GroupInfo[]> {
    const client = this.#connections.command;
    const topics =
      topic === undefined
        ? await this.#registry.all()
        : [await this.#registry.find(topic)].filter((k): k is TopicKeys => k !== undefined);
    const lists = await Promise.all(topics.map((keys) => groupsOf(client, keys, this.#rates)));
    return lists.flat();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#importers].map((importer) => importer.stop()));
    const members = [...this.#members.values()].flatMap((set) => [...set]);
    await Promise.all(members.map((member) => member.close()));
    this.#mover.close();
    await this.#rates.flush();
    this.#signals.close();
    await this.#connections.close();
  }

  async #ensureGroup(
    keys: TopicKeys,
    group: string,
    start: Position,
    again = false,
  ): Promise<void> {
    const id = `${keys.topic}\u0000${group}`;
    if (this.#groupsMade.has(id) && !again) return;
    const client = this.#connections.command;
    const pipeline = client.pipeline();
    for (const stream of keys.streams) pipeline.call('XINFO', 'GROUPS', stream);
    const replies = (await pipeline.exec()) ?? [];
    for (let p = 0; p < keys.partitions; p++) {
      const [error, reply] = replies[p] ?? [];
      const exists =
        !error && (reply as unknown[][]).some((flat) => fieldOf(flat, 'name') === group);
      if (exists) continue;
      const stream = keys.streams[p]!;
      try {
        await createGroup(client, stream, group, await startIdOf(client, stream, start));
      } catch (cause) {
        if (!describeError(cause).includes('BUSYGROUP')) throw cause;
      }
    }
    this.#groupsMade.add(id);
  }

  async #checkPersistence(): Promise<void> {
    if (this.#persistence) return;
    const persistence = await readServerPersistence(this.#connections.command);
    const { address } = this.#connections;
    const claimed = this.#o.durability;
    if (
      claimed === 'power-loss' &&
      persistence.mode !== 'aof-always' &&
      persistence.mode !== 'unknown'
    ) {
      throw new ConfigError(
        `redis broker option durability: power-loss, but redis at ${address} does not fsync every write (${persistence.settings}); set appendonly yes and appendfsync always, or claim process-crash`,
        { path: 'durability' },
      );
    }
    this.#persistence = persistence;
    this.#durability = claimed === 'auto' ? durabilityOf(persistence) : claimed;
    if (persistence.mode === 'none') {
      this.#o.onError(
        new EngineError(
          `redis at ${address} keeps nothing on disk (${persistence.settings}): a restart of redis loses every topic, group and position`,
        ),
      );
    }
  }

  #serialize(event: Envelope): string {
    return serializeEvent(event, this.#o.maxEventBytes);
  }
}

/**
 * The broker over RabbitMQ streams (RabbitMQ 3.9 or newer). A topic is one
 * stream queue: its history, with RabbitMQ's own offsets as event offsets.
 * A group's members split the topic's partitions by lease and read the
 * stream themselves (group-member.ts); its positions live in one-message
 * register queues (group-registers.ts).
 *
 * Durability, honestly: `publish` resolves on the publisher confirm, sent
 * once the stream has written the message; streams leave fsync to the
 * operating system, so that survives a kill -9 of this process and of the
 * broker, not a power loss (`process-crash`).
 *
 * Capabilities: replay from the start, an offset or a time (streams keep
 * history unless `maxAge` / `maxLengthBytes` trim it). No delayed delivery:
 * a stream has no per-message visibility time. No offsets on publish
 * (`publishOffsets: false`): a confirm does not carry one, and reading each
 * message back to learn it halved publish throughput; history reads, group
 * deliveries and `topics()` give the offsets.
 *
 * Statistics (`topics()`, `groups()`) append a marker to each stream they
 * measure (AMQP cannot ask a stream for its end); markers take offsets, so
 * `published` is the offsets taken, events and markers. Rates are this
 * process's own publishes and acks.
 */
import type { Envelope } from '../../../core/envelope.ts';
import { ConflictError, UnsupportedError } from '../../../core/errors.ts';
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
import { Catalog } from './catalog.ts';
import { GroupMember } from './group-member.ts';
import { GroupRegisters } from './group-registers.ts';
import { groupInfo } from './group-stats.ts';
import { type HistoryDeps, offsetAt, readHistory, streamExists } from './history-reader.ts';
import { RabbitMqConnection } from './rabbitmq-connection.ts';
import { RabbitMqNames } from './rabbitmq-names.ts';
import {
  type RabbitMqTransportOptions,
  type ResolvedRabbitMqOptions,
  resolveRabbitMqOptions,
} from './rabbitmq-options.ts';
import { RateWindow } from './rate-window.ts';
import { StreamCursor } from './stream-cursor.ts';
import { eventMessage, type OutgoingMessage } from './stream-message.ts';
import { StreamPublisher } from './stream-publisher.ts';

/** The receipt of every one-event publish: read only, so one serves all. */
const ONE_EVENT: PublishReceipt = Object.freeze({ offsets: Object.freeze([undefined]) });

function noOffsets(count: number): PublishReceipt {
  return { offsets: new Array<undefined>(count).fill(undefined) };
}

export class RabbitMqTransport implements Transport {
  readonly #o: ResolvedRabbitMqOptions;
  readonly #connection: RabbitMqConnection;
  readonly #names: RabbitMqNames;
  readonly #publisher: StreamPublisher;
  readonly #catalog: Catalog;
  readonly #registers: GroupRegisters;
  readonly #rates = new RateWindow();
  readonly #localLeases = new Set<string>();
  readonly #members = new Map<string, Set<GroupMember>>();
  readonly #topicStats = new Map<string, { at: number; info: Promise<TopicInfo> }>();
  /** Publish rate names by topic stream, made once: a fresh string per publish costs a hash. */
  readonly #rateKeys = new Map<string, string>();
  /** Counts a confirmed event of a topic's stream in its publish rate. */
  readonly #countPublished = (stream: string): void => {
    const key = this.#rateKeys.get(stream);
    if (key !== undefined) this.#rates.add(key, 1);
  };
  #started: Promise<void> | undefined;
  #closed = false;

  constructor(url: string, options: RabbitMqTransportOptions = {}) {
    this.#o = resolveRabbitMqOptions(url, options);
    this.#connection = new RabbitMqConnection(this.#o);
    this.#names = new RabbitMqNames(this.#o.prefix);
    this.#publisher = new StreamPublisher(this.#connection, this.#o);
    this.#catalog = new Catalog(
      this.#connection,
      this.#names,
      this.#publisher,
      this.#o,
      this.#o.onError,
    );
    this.#registers = new GroupRegisters(this.#connection, this.#publisher);
  }

  get capabilities(): TransportCapabilities {
    return {
      engine: 'rabbitmq',
      replay: true,
      replayFromTime: true,
      delayedDelivery: false,
      durability: 'process-crash',
      maxEventBytes: this.#o.maxEventBytes,
      partitions: this.#o.partitions,
      publishOffsets: false,
    };
  }

  /** The names this broker declares (the exchange foreign producers publish to, and more). */
  get names(): RabbitMqNames {
    return this.#names;
  }

  ready(): Promise<void> {
    this.#started ??= (async () => {
      await this.#connection.ready(this.#o.connectTimeoutMs);
      await this.#catalog.start();
    })();
    return this.#started;
  }

  publish(
    topic: string,
    events: readonly Envelope[],
    options?: TransportPublishOptions,
  ): Promise<PublishReceipt> {
    // Not async, and no await once the topic is known: the message leaves in
    // the caller's tick, and a publish costs the confirm's promise only.
    const messages: OutgoingMessage[] = new Array(events.length);
    try {
      if (options?.deliverAt !== undefined) {
        throw new UnsupportedError('the rabbitmq broker does not support delayed delivery');
      }
      for (let i = 0; i < events.length; i++) {
        messages[i] = eventMessage(events[i]!, this.#o.maxEventBytes);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    // The confirm says stored, not where: learning offsets would mean reading
    // every message back (publishOffsets: false), so the receipt has none.
    const receipt = events.length === 1 ? ONE_EVENT : noOffsets(events.length);
    const stream = this.#catalog.declared(topic);
    if (stream !== undefined && this.#rateKeys.has(stream)) {
      return this.#publisher.send(stream, messages, receipt, this.#countPublished);
    }
    return this.#ensureTopic(topic).then((declared) => {
      if (!this.#rateKeys.has(declared)) this.#rateKeys.set(declared, `p\u0000${topic}`);
      return this.#publisher.send(declared, messages, receipt, this.#countPublished);
    });
  }

  async consume(options: ConsumeOptions): Promise<TransportConsumer> {
    await this.ready();
    const { topic, group } = options;
    const stream = await this.#catalog.ensureTopic(topic);
    await this.#catalog.ensureGroup(topic, group);
    const id = `${topic}\u0000${group}`;
    const local = this.#members.get(id) ?? new Set<GroupMember>();
    this.#members.set(id, local);
    let initial: Promise<number> | undefined;
    const rateKey = `c\u0000${id}`;
    const member = await GroupMember.start({
      ...options,
      connection: this.#connection,
      names: this.#names,
      registers: this.#registers,
      stream,
      partitions: this.#o.partitions,
      commitIntervalMs: this.#o.commitIntervalMs,
      rebalanceIntervalMs: this.#o.rebalanceIntervalMs,
      localLeases: this.#localLeases,
      onError: options.onError ?? this.#o.onError,
      initialPosition: () => {
        initial ??= offsetAt(this.#history, topic, stream, options.start);
        return initial;
      },
      onAcked: (count) => this.#rates.add(rateKey, count),
      onClosed: () => local.delete(member),
    });
    local.add(member);
    return member;
  }

  read(topic: string, options: ReadOptions): AsyncIterable<StoredEvent> {
    const history = this.#history;
    const stream = this.#names.topic(topic);
    const ensure = async () => {
      await this.ready();
      if (options.follow) return true;
      return this.#catalog.has(topic) || (await streamExists(this.#connection, stream));
    };
    return {
      async *[Symbol.asyncIterator]() {
        if (!(await ensure())) return;
        yield* readHistory(history, topic, stream, options);
      },
    };
  }

  async resetGroup(topic: string, group: string, position: Position): Promise<void> {
    await this.ready();
    if ((this.#members.get(`${topic}\u0000${group}`)?.size ?? 0) > 0) {
      throw new ConflictError(
        `group ${group} on ${topic} is consuming in this process; close its subscriptions first`,
        { topic, group },
      );
    }
    const stream = await this.#catalog.ensureTopic(topic);
    if (await this.#active(topic, group)) {
      throw new ConflictError(
        `group ${group} on ${topic} is consuming in another process; stop it first`,
        { topic, group },
      );
    }
    await this.#catalog.ensureGroup(topic, group);
    const offset = await offsetAt(this.#history, topic, stream, position);
    const seq = Date.now() * 1000;
    for (let p = 0; p < this.#o.partitions; p++) {
      const register = this.#names.register(topic, group, p);
      await this.#registers.declare(register);
      const previous = await this.#registers.load(register);
      await this.#registers.save(register, {
        position: offset,
        failures: {},
        seq: Math.max(seq, (previous?.seq ?? 0) + 1),
      });
    }
  }

  async topics(): Promise<TopicInfo[]> {
    await this.ready();
    return Promise.all(this.#catalog.topics().map((topic) => this.#topicInfo(topic)));
  }

  async groups(topic?: string): Promise<GroupInfo[]> {
    await this.ready();
    const topics = topic === undefined ? this.#catalog.topics() : [topic];
    const lists = await Promise.all(
      topics.map((name) =>
        Promise.all(
          this.#catalog.groups(name).map(async (group) => {
            const id = `${name}\u0000${group}`;
            const info = await groupInfo(
              {
                ...this.#history,
                names: this.#names,
                registers: this.#registers,
                partitions: this.#o.partitions,
                lagScanLimit: this.#o.lagScanLimit,
              },
              name,
              group,
            );
            return {
              ...info,
              consumeRate: this.#rates.rate(`c\u0000${id}`),
              active: (this.#members.get(id)?.size ?? 0) > 0 || (await this.#active(name, group)),
            };
          }),
        ),
      ),
    );
    return lists.flat();
  }

  /** Deletes every queue and exchange of the prefix (see remove-prefix.ts). */
  async removeEverything(): Promise<void> {
    await this.#catalog.sync();
    const queues: string[] = [];
    const exchanges: string[] = [];
    for (const topic of this.#catalog.topics()) {
      queues.push(this.#names.topic(topic));
      for (const group of this.#catalog.groups(topic)) {
        exchanges.push(this.#names.members(topic, group));
        for (let p = 0; p < this.#o.partitions; p++) {
          queues.push(this.#names.register(topic, group, p));
        }
      }
    }
    await this.#publisher.close();
    await this.#catalog.close();
    await this.#connection.withChannel(async (channel) => {
      for (const queue of queues) await channel.deleteQueue(queue);
      for (const exchange of exchanges) await channel.deleteExchange(exchange);
      await channel.deleteQueue(this.#names.catalog);
      await channel.deleteExchange(this.#names.exchange);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const members = [...this.#members.values()].flatMap((set) => [...set]);
    await Promise.all(members.map((member) => member.close()));
    await this.#catalog.close();
    await this.#publisher.close();
    await this.#connection.close();
  }

  async #ensureTopic(topic: string): Promise<string> {
    await this.ready();
    return this.#catalog.ensureTopic(topic);
  }

  get #history(): HistoryDeps {
    return { connection: this.#connection, publisher: this.#publisher, onError: this.#o.onError };
  }

  /** Whether some connection holds a lease of the group (an exclusive queue: 405 from others). */
  async #active(topic: string, group: string): Promise<boolean> {
    for (let p = 0; p < this.#o.partitions; p++) {
      const lease = this.#names.lease(topic, group, p);
      try {
        await this.#connection.withChannel((channel) => channel.checkQueue(lease));
        return true;
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (code === 405) return true;
        if (code !== 404) throw error;
      }
    }
    return false;
  }

  #topicInfo(topic: string): Promise<TopicInfo> {
    const cached = this.#topicStats.get(topic);
    if (cached && Date.now() - cached.at < this.#o.statsTtlMs) return cached.info;
    const info = (async (): Promise<TopicInfo> => {
      const stream = this.#names.topic(topic);
      const head = (await this.#publisher.marker(stream)) + 1;
      const cursor = await StreamCursor.open(this.#connection, stream, 'first', {
        prefetch: 1,
        onError: this.#o.onError,
      });
      const first = (await cursor.next())?.offset ?? head;
      await cursor.close();
      return {
        topic,
        partitions: this.#o.partitions,
        head,
        first,
        published: head - first,
        publishRate: this.#rates.rate(`p\u0000${topic}`),
      };
    })();
    this.#topicStats.set(topic, { at: Date.now(), info });
    info.catch(() => this.#topicStats.delete(topic));
    return info;
  }
}

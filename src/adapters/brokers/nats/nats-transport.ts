/**
 * The broker over NATS JetStream (nats-server 2.9 or newer). A topic is one
 * file-backed stream; an event with a key goes to the subject of its
 * partition (core/partition.ts), one without to the topic's unpartitioned
 * subject, which is also where outside producers publish (nats-names.ts).
 * A group is a durable pull consumer per partition, and one for the
 * unpartitioned subject; members split the partitions by lease
 * (group-member.ts). Offsets are stream sequences.
 *
 * Durability, honestly: `publish` resolves on the server's PubAck, once
 * the message is in its file store; a publish that gets no PubAck (the
 * connection dropped, the server restarts) is sent again with the same
 * message id, which the stream's duplicate window (2 minutes) drops if the
 * first one did land, until `publishTimeoutMs`; then it rejects. It never
 * resolves without a PubAck. See `durability` in nats-options.ts for what
 * the PubAck means on disk.
 *
 * Capabilities: replay from the start, an offset or a time; no delayed
 * delivery (JetStream before 2.12 has no scheduled messages, and eventyard
 * does not fake it). A delivery's attempt counts the failures recorded for
 * it (attempt-store.ts); the server's delivery count is not added, since it
 * also counts events given back untried when a member closes.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type Envelope, serializeEvent } from '../../../core/envelope.ts';
import {
  ConflictError,
  describeError,
  EngineError,
  UnsupportedError,
} from '../../../core/errors.ts';
import { partitionOf } from '../../../core/partition.ts';
import type { Position } from '../../../core/position.ts';
import { sleep } from '../../../core/sleep.ts';
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
import { AttemptStore } from './attempt-store.ts';
import { GroupMember } from './group-member.ts';
import { readHistory, startOf } from './history-reader.ts';
import type { TopicNames } from './nats-names.ts';
import { groupOfConsumer } from './nats-names.ts';
import {
  type NatsTransportOptions,
  type ResolvedNatsOptions,
  resolveNatsOptions,
} from './nats-options.ts';
import { PartitionLeases } from './partition-leases.ts';
import { RateSamples } from './rate-samples.ts';
import { TopicStreams } from './topic-streams.ts';

export class NatsTransport implements Transport {
  readonly #o: ResolvedNatsOptions;
  readonly #streams: TopicStreams;
  readonly #leases: PartitionLeases;
  readonly #attempts: AttemptStore;
  readonly #rates = new RateSamples();
  readonly #members = new Map<string, Set<GroupMember>>();
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #jsm: JetStreamManager | undefined;
  #ready: Promise<void> | undefined;
  #maxEventBytes = 1024 * 1024;
  #closed = false;

  constructor(url: string, options: NatsTransportOptions = {}) {
    this.#o = resolveNatsOptions(url, options);
    const js = () => this.#client().js;
    const jsm = () => this.#client().jsm;
    this.#streams = new TopicStreams(jsm, this.#o.prefix, this.#o.partitions, this.#o.replicas);
    this.#leases = new PartitionLeases(js, jsm, this.#o.prefix, this.#o.leaseMs);
    this.#attempts = new AttemptStore(js, jsm, this.#o.prefix, this.#o.replicas);
  }

  get capabilities(): TransportCapabilities {
    return {
      engine: 'nats',
      replay: true,
      replayFromTime: true,
      delayedDelivery: false,
      durability: this.#o.durability,
      maxEventBytes: this.#maxEventBytes,
      partitions: this.#o.partitions,
    };
  }

  ready(): Promise<void> {
    if (!this.#ready) {
      const connecting = this.#connect();
      this.#ready = connecting;
      connecting.catch(() => {
        if (this.#ready === connecting) this.#ready = undefined;
      });
    }
    return this.#ready;
  }

  async publish(
    topic: string,
    events: readonly Envelope[],
    options?: TransportPublishOptions,
  ): Promise<PublishReceipt> {
    if (options?.deliverAt !== undefined && options.deliverAt > Date.now()) {
      throw new UnsupportedError('the nats broker has no delayed delivery', { engine: 'nats' });
    }
    const bodies = events.map((event) => this.#serialize(event));
    await this.ready();
    const names = await this.#streams.ensure(topic);
    const offsets = await Promise.all(
      events.map((event, i) =>
        // One message id per publish call, not the event id: an event may be published again
        // on purpose (a dead letter replayed); only this call's own retries are duplicates.
        this.#publishOne(this.#subjectOf(names, event), bodies[i]!, randomUUID()),
      ),
    );
    return { offsets };
  }

  async consume(options: ConsumeOptions): Promise<TransportConsumer> {
    await this.ready();
    const names = await this.#streams.ensure(options.topic);
    await this.#ensureGroup(names, options.group, options.start);
    const id = `${options.topic}\u0000${options.group}`;
    const local = this.#members.get(id) ?? new Set<GroupMember>();
    this.#members.set(id, local);
    const { nc, js, jsm } = this.#client();
    const member = await GroupMember.start({
      nc,
      js,
      jsm,
      names,
      group: options.group,
      name: `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`.replace(
        /[^A-Za-z0-9_-]/g,
        '-',
      ),
      leases: this.#leases,
      attempts: this.#attempts,
      leaseMs: this.#o.leaseMs,
      ackWaitMs: this.#o.ackWaitMs,
      maxInFlight: options.maxInFlight,
      deliver: options.deliver,
      onError: options.onError ?? this.#o.onError,
      onClosed: () => local.delete(member),
    });
    local.add(member);
    return member;
  }

  read(topic: string, options: ReadOptions): AsyncIterable<StoredEvent> {
    return readHistory(
      {
        js: this.#client().js,
        locate: async (name, create) => {
          await this.ready();
          const names = create ? await this.#streams.ensure(name) : await this.#streams.find(name);
          if (!names) return undefined;
          const info = await this.#client().jsm.streams.info(names.stream);
          return { names, last: info.state.last_seq };
        },
      },
      topic,
      options,
    );
  }

  async resetGroup(topic: string, group: string, position: Position): Promise<void> {
    await this.ready();
    const names = await this.#streams.ensure(topic);
    if ((this.#members.get(`${topic}\u0000${group}`)?.size ?? 0) > 0) {
      throw new ConflictError(
        `group ${group} on ${topic} is consuming in this process; close its subscriptions first`,
        { topic, group },
      );
    }
    if ((await this.#leases.members(names.leaseBase(group))).length > 0) {
      throw new ConflictError(
        `group ${group} on ${topic} is consuming in another process; stop it first`,
        { topic, group },
      );
    }
    const { jsm } = this.#client();
    for (const consumer of names.consumers(group)) {
      await jsm.consumers.delete(names.stream, consumer).catch(() => false);
    }
    await this.#ensureGroup(names, group, position);
  }

  async topics(): Promise<TopicInfo[]> {
    await this.ready();
    const all = await this.#streams.all();
    return all.map(({ names, info }) => {
      const head = info.state.last_seq + 1;
      return {
        topic: names.topic,
        partitions: names.partitions,
        head,
        first: info.state.messages === 0 ? head : info.state.first_seq,
        published: info.state.last_seq,
        publishRate: this.#rates.rate(`t\u0000${names.topic}`, info.state.last_seq),
      };
    });
  }

  async groups(topic?: string): Promise<GroupInfo[]> {
    await this.ready();
    const { jsm } = this.#client();
    const all = await this.#streams.all();
    const result: GroupInfo[] = [];
    for (const { names, info } of all) {
      if (topic !== undefined && names.topic !== topic) continue;
      const head = info.state.last_seq + 1;
      const byGroup = new Map<string, { lag: number; position: number; acked: number }>();
      for await (const consumer of jsm.consumers.list(names.stream)) {
        const found = groupOfConsumer(consumer.name);
        if (!found || !names.consumers(found.group).includes(consumer.name)) continue;
        const entry = byGroup.get(found.group) ?? { lag: 0, position: head, acked: 0 };
        const open = consumer.num_pending + consumer.num_ack_pending;
        entry.lag += open;
        entry.acked += consumer.ack_floor.stream_seq;
        if (open > 0) entry.position = Math.min(entry.position, consumer.ack_floor.stream_seq + 1);
        byGroup.set(found.group, entry);
      }
      for (const [group, entry] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
        const live = (this.#members.get(`${names.topic}\u0000${group}`)?.size ?? 0) > 0;
        const active = live || (await this.#leases.members(names.leaseBase(group))).length > 0;
        result.push({
          topic: names.topic,
          group,
          position: entry.position,
          lag: entry.lag,
          consumeRate: this.#rates.rate(
            `g\u0000${names.topic}\u0000${group}`,
            head - 1 - entry.lag,
          ),
          active,
        });
      }
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const members = [...this.#members.values()].flatMap((set) => [...set]);
    await Promise.all(members.map((member) => member.close()));
    const nc = this.#nc;
    this.#nc = undefined;
    if (!nc || nc.isClosed()) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 5_000);
    });
    await Promise.race([nc.drain().catch(() => {}), late]);
    clearTimeout(timer);
    if (!nc.isClosed()) await nc.close();
  }

  async #connect(): Promise<void> {
    try {
      const nc = await connect({
        servers: this.#o.server,
        user: this.#o.user,
        pass: this.#o.pass,
        name: `eventyard ${hostname()} ${process.pid}`,
        timeout: this.#o.connectTimeoutMs,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        pingInterval: 10_000,
        // No stack captured per request (two Errors per publish): a failed publish is
        // reported as an EngineError naming the subject and the cause anyway.
        noAsyncTraces: true,
      });
      this.#nc = nc;
      this.#js = jetstream(nc, { timeout: 10_000 });
      this.#jsm = await jetstreamManager(nc, { timeout: 10_000 });
      this.#maxEventBytes = nc.info?.max_payload ?? this.#maxEventBytes;
      await this.#leases.ensure();
      await this.#attempts.ensure();
      void this.#watch(nc);
    } catch (cause) {
      await this.#nc?.close().catch(() => {});
      this.#nc = undefined;
      throw new EngineError(`nats not reachable at ${this.#o.address}: ${describeError(cause)}`, {
        engine: 'nats',
        address: this.#o.address,
        cause,
      });
    }
  }

  /** Reports connection trouble; the client reconnects by itself. */
  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'error') {
        this.#o.onError(new EngineError(`nats ${status.type} (${this.#o.address}), reconnecting`));
      } else if (status.type === 'reconnect') {
        // A restarted server without the memory stream of leases: make it again.
        await this.#leases.ensure().catch((error: Error) => this.#o.onError(error));
      }
    }
  }

  #client(): { nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager } {
    if (!this.#nc || !this.#js || !this.#jsm) {
      throw new EngineError(`nats transport (${this.#o.address}) is not connected: call ready()`);
    }
    return { nc: this.#nc, js: this.#js, jsm: this.#jsm };
  }

  #subjectOf(names: TopicNames, event: Envelope): string {
    if (event.partitionkey === undefined) return names.unkeyedSubject;
    return names.partitionSubjects[partitionOf(event.partitionkey, names.partitions)]!;
  }

  /** Resolves with the stream sequence once a PubAck came; retries (deduplicated by id) until then. */
  async #publishOne(subject: string, body: string, id: string): Promise<number> {
    const deadline = Date.now() + this.#o.publishTimeoutMs;
    for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
      try {
        const left = Math.max(100, Math.min(5_000, deadline - Date.now()));
        const ack = await this.#client().js.publish(subject, body, { msgID: id, timeout: left });
        return ack.seq;
      } catch (cause) {
        if (this.#closed || Date.now() + wait >= deadline || !retryable(cause)) {
          throw new EngineError(`publish to ${subject} failed: ${describeError(cause)}`, {
            engine: 'nats',
            cause,
          });
        }
        await sleep(wait);
      }
    }
  }

  async #ensureGroup(names: TopicNames, group: string, start: Position): Promise<void> {
    const { jsm } = this.#client();
    const subjects = [...names.partitionSubjects, names.unkeyedSubject];
    const consumers = names.consumers(group);
    const begin = startOf(start);
    await Promise.all(
      consumers.map(async (name, i) => {
        const exists = await jsm.consumers.info(names.stream, name).catch(() => undefined);
        if (exists) return;
        try {
          await jsm.consumers.add(names.stream, {
            durable_name: name,
            filter_subject: subjects[i],
            ack_policy: AckPolicy.Explicit,
            ack_wait: this.#o.ackWaitMs * 1_000_000,
            max_ack_pending: -1,
            deliver_policy: begin.deliver_policy ?? DeliverPolicy.All,
            opt_start_seq: begin.opt_start_seq,
            opt_start_time: begin.opt_start_time,
            max_deliver: -1,
          });
        } catch (error) {
          // Made by another member meanwhile.
          if (!(await jsm.consumers.info(names.stream, name).catch(() => undefined))) throw error;
        }
      }),
    );
  }

  #serialize(event: Envelope): string {
    return serializeEvent(event, this.#maxEventBytes);
  }
}

/** Whether a failed publish may be sent again: no answer yet, as opposed to a refusal. */
function retryable(error: unknown): boolean {
  const text = describeError(error).toLowerCase();
  return (
    /timeout|timed out|no responders|503|disconnect|connection|closed|reconnect/.test(text) &&
    !/maximum payload|wrong last/.test(text)
  );
}

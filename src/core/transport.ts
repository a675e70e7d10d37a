/**
 * What an engine adapter implements (adapters/brokers/*). It is the thin
 * part: durable append, group consumption with explicit settlement, history
 * reads and the engine's own bookkeeping. Validation, retry, timeouts, dead
 * letters and per-key order under concurrency are the broker's (core/broker),
 * shared by every engine, so an adapter never repeats them.
 */
import type { Delivery } from './delivery.ts';
import type { Envelope } from './envelope.ts';
import type { Position } from './position.ts';

export interface TransportCapabilities {
  /** Engine name, as in `EVENTYARD_BROKER`'s scheme: embedded, nats, rabbitmq, redis. */
  readonly engine: string;
  /** History can be read and groups reset to `earliest` or an offset. */
  readonly replay: boolean;
  /** Groups can be reset, and history read, from a point in time. */
  readonly replayFromTime: boolean;
  /** `publish` accepts a time to deliver at. */
  readonly delayedDelivery: boolean;
  /** What a resolved publish survives: a kill -9 of the process, or power loss. */
  readonly durability: 'process-crash' | 'power-loss';
  /** Largest serialized event the engine takes, in bytes. */
  readonly maxEventBytes: number;
  /** Partitions per topic; events with the same key share one. */
  readonly partitions: number;
  /**
   * `publish` resolves with each event's offset. False: the engine's
   * acknowledgement carries none (RabbitMQ streams), so the receipt's
   * offsets are undefined and offsets are known from history reads.
   * Default true.
   */
  readonly publishOffsets?: boolean;
}

export interface StoredEvent {
  readonly topic: string;
  readonly offset: number;
  readonly event: Envelope;
}

export interface TransportPublishOptions {
  /** Epoch ms before which no group sees the events (`delayedDelivery`). */
  readonly deliverAt?: number;
}

export interface PublishReceipt {
  /**
   * Offsets of the events in order; undefined for delayed events, and for
   * every event when `capabilities.publishOffsets` is false.
   */
  readonly offsets: ReadonlyArray<number | undefined>;
}

export interface ConsumeOptions {
  readonly topic: string;
  readonly group: string;
  /** Where a group that has no committed position starts. */
  readonly start: Position;
  /** Unsettled deliveries this member holds at most; the engine waits beyond it. */
  readonly maxInFlight: number;
  /**
   * Receives deliveries: in offset order within a partition, each to one
   * member of the group. Must not throw.
   */
  readonly deliver: (delivery: Delivery) => void;
  /** Engine trouble the consumer is recovering from by itself. */
  readonly onError?: (error: Error) => void;
}

export interface TransportConsumer {
  /** No more `deliver` calls after this returns. */
  stop(): void;
  /** Commits what was acked and leaves the group. Unsettled deliveries are redelivered later. */
  close(): Promise<void>;
}

export interface ReadOptions {
  readonly from: Position;
  /** Keep waiting for new events once the end is reached. Default false. */
  readonly follow?: boolean;
  readonly limit?: number;
  readonly signal?: AbortSignal;
}

export interface TopicInfo {
  readonly topic: string;
  readonly partitions: number;
  /** Offset the next event will get; events kept are below it. */
  readonly head: number;
  /** Oldest offset kept. */
  readonly first: number;
  readonly published: number;
  /** Events appended per second over the last minute. */
  readonly publishRate: number;
}

export interface GroupInfo {
  readonly topic: string;
  readonly group: string;
  /** Next offset the group has not acknowledged (everything below it is done). */
  readonly position: number;
  readonly lag: number;
  /** Events acknowledged per second over the last minute. */
  readonly consumeRate: number;
  /** Whether some process consumes it now. */
  readonly active: boolean;
}

export interface Transport {
  readonly capabilities: TransportCapabilities;
  /** Connects; rejects with an `EngineError` naming the engine's address. */
  ready(): Promise<void>;
  /** Resolves once the engine has made every event durable (see `capabilities.durability`). */
  publish(
    topic: string,
    events: readonly Envelope[],
    options?: TransportPublishOptions,
  ): Promise<PublishReceipt>;
  consume(options: ConsumeOptions): Promise<TransportConsumer>;
  read(topic: string, options: ReadOptions): AsyncIterable<StoredEvent>;
  /** Moves a group's position; refused with `ConflictError` while the group is active. */
  resetGroup(topic: string, group: string, position: Position): Promise<void>;
  topics(): Promise<TopicInfo[]>;
  groups(topic?: string): Promise<GroupInfo[]>;
  /** Closes connections; consumers must have been closed first. */
  close(): Promise<void>;
}

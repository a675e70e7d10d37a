/**
 * The broker contract apps program against (see DESIGN.md, "Broker
 * contract"; test/conformance/ is its executable definition). Every engine
 * gives the same behaviour through it; `capabilities` says what an engine
 * cannot do, and calls that need it are refused with `UnsupportedError`.
 */
import type { Envelope } from './envelope.ts';
import type { DeliveryPolicy } from './policy.ts';
import type { Position } from './position.ts';
import type {
  GroupInfo,
  PublishReceipt,
  ReadOptions,
  StoredEvent,
  TopicInfo,
  TransportCapabilities,
} from './transport.ts';

export interface HandlerContext {
  readonly topic: string;
  readonly group: string;
  readonly offset: number;
  readonly partition: number;
  /** Which try this is, 1 for the first. */
  readonly attempt: number;
  /** Aborted when the try runs past the policy's timeout. Closing lets running tries finish. */
  readonly signal: AbortSignal;
}

/** Returns to acknowledge; throws to retry, or `PermanentError` to dead-letter at once. */
export type Handler<T = unknown> = (
  event: Envelope<T>,
  context: HandlerContext,
) => void | Promise<void>;

/** Wraps a handler with cross-cutting behaviour; applied per try. */
export type Middleware = (next: Handler) => Handler;

export interface SubscribeOptions<T = unknown> {
  readonly topic: string;
  /** Every group gets every event; within a group each event goes to one member. */
  readonly group: string;
  readonly handler: Handler<T>;
  readonly policy?: DeliveryPolicy;
  /** Where a new group starts. Default `earliest`: nothing published before it is missed. */
  readonly start?: Position;
}

export interface Subscription {
  readonly topic: string;
  readonly group: string;
  /** Stops taking deliveries, waits for running handlers, commits. Idempotent. */
  close(): Promise<void>;
}

export interface PublishOptions {
  /** Deliver no sooner than this many ms from now. */
  readonly delayMs?: number;
  /** Deliver no sooner than this time. */
  readonly deliverAt?: Date | number;
}

/** A dead-lettered event, as `deadLetters.list` shows it. */
export interface DeadLetter {
  /** Offset on the dead-letter topic. */
  readonly offset: number;
  readonly topic: string;
  readonly group: string;
  readonly reason: string;
  readonly code: string;
  readonly attempts: number;
  readonly deadLetteredAt: string;
  /** The event as it was delivered, without the dead-letter attributes. */
  readonly event: Envelope;
}

export interface DeadLetterQuery {
  readonly group?: string;
  readonly from?: Position;
  readonly limit?: number;
}

export interface ReplayQuery {
  /** Only dead letters of this group. */
  readonly group?: string;
  /** Only these event ids. */
  readonly ids?: readonly string[];
  /** Dead-letter offsets from this one on. Default: all. */
  readonly fromOffset?: number;
}

export interface DeadLetters {
  list(topic: string, query?: DeadLetterQuery): Promise<DeadLetter[]>;
  /**
   * Publishes matching dead letters to their topic again, each addressed to
   * the group that gave up on it (other groups skip it). Returns how many.
   */
  replay(topic: string, query?: ReplayQuery): Promise<number>;
}

export interface GroupStats extends GroupInfo {
  /** Events of this group on the topic's dead-letter topic. */
  readonly deadLettered: number;
}

export interface Broker {
  readonly capabilities: TransportCapabilities;
  ready(): Promise<void>;
  /** Validates and publishes; resolves once every event is durable. */
  publish(
    topic: string,
    events: Envelope | readonly Envelope[],
    options?: PublishOptions,
  ): Promise<PublishReceipt>;
  subscribe<T = unknown>(options: SubscribeOptions<T>): Promise<Subscription>;
  /** History of a topic from a position, optionally following new events. */
  read(topic: string, options: ReadOptions): AsyncIterable<StoredEvent>;
  /** Moves an inactive group to a position: replay from the start, an offset or a time. */
  resetGroup(topic: string, group: string, position: Position): Promise<void>;
  topics(): Promise<TopicInfo[]>;
  groups(topic?: string): Promise<GroupStats[]>;
  readonly deadLetters: DeadLetters;
  /** Drains every subscription of this broker, then closes the engine connection. */
  close(): Promise<void>;
}

/**
 * The broker apps use, over any engine's `Transport`: validation at the
 * edge, subscriptions with the shared delivery runtime, dead letters.
 */
import type {
  Broker,
  DeadLetter,
  DeadLetterQuery,
  DeadLetters,
  GroupStats,
  Middleware,
  PublishOptions,
  ReplayQuery,
  SubscribeOptions,
  Subscription,
} from './broker.ts';
import { type Envelope, validateEnvelope } from './envelope.ts';
import { ClosedError, UnsupportedError, ValidationError } from './errors.ts';
import type { BrokerObserver } from './observer.ts';
import { resolvePolicy } from './policy.ts';
import type { Position } from './position.ts';
import { deliverAtOf } from './publish-options.ts';
import { readDeadLetter, replayEnvelope } from './subscription/dead-letter.ts';
import { Member } from './subscription/member.ts';
import { deadLetterTopicOf, validateGroupName, validateTopicName } from './topic.ts';
import type {
  PublishReceipt,
  ReadOptions,
  StoredEvent,
  TopicInfo,
  Transport,
  TransportPublishOptions,
} from './transport.ts';

export interface BrokerOptions {
  /** Wraps every handler, outermost first; applied per try. Default none. */
  readonly middleware?: readonly Middleware[];
  /** Receives counts and failures for metrics and logs. Default none. */
  readonly observer?: BrokerObserver;
}

export function createBroker(transport: Transport, options: BrokerOptions = {}): Broker {
  return new TransportBroker(transport, options);
}

class TransportBroker implements Broker {
  readonly #transport: Transport;
  readonly #observer: BrokerObserver;
  readonly #middleware: readonly Middleware[];
  readonly #members = new Set<Subscription>();
  #closed = false;
  readonly deadLetters: DeadLetters;

  constructor(transport: Transport, options: BrokerOptions) {
    this.#transport = transport;
    this.#observer = options.observer ?? {};
    this.#middleware = options.middleware ?? [];
    this.deadLetters = {
      list: (topic, query) => this.#listDeadLetters(topic, query),
      replay: (topic, query) => this.#replayDeadLetters(topic, query),
    };
  }

  /** The topic of the last publish, whose name was valid. */
  #lastTopic: string | undefined;

  get capabilities() {
    return this.#transport.capabilities;
  }

  ready(): Promise<void> {
    return this.#transport.ready();
  }

  publish(
    topic: string,
    events: Envelope | readonly Envelope[],
    options?: PublishOptions,
  ): Promise<PublishReceipt> {
    // Not async: on the hot path an async wrapper is a promise and two
    // microtask turns per publish on top of the transport's (see bench/).
    let list: readonly Envelope[];
    let receipt: Promise<PublishReceipt>;
    try {
      this.#open();
      // A name once checked needs no second look: most publishes go to the topic of the last one.
      if (topic !== this.#lastTopic) {
        validateTopicName(topic);
        this.#lastTopic = topic;
      }
      list = isEnvelopeList(events) ? events : [events as Envelope];
      for (const event of list) validateEnvelope(event);
      const transportOptions = options === undefined ? undefined : this.#publishOptions(options);
      receipt = this.#transport.publish(topic, list, transportOptions);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#observer.published === undefined) return receipt;
    return receipt.then((done) => {
      this.#observer.published?.(topic, list.length);
      return done;
    });
  }

  async subscribe<T>(options: SubscribeOptions<T>): Promise<Subscription> {
    this.#open();
    validateTopicName(options.topic);
    validateGroupName(options.group);
    if (typeof options.handler !== 'function') {
      throw new ValidationError('subscribe needs a handler function', { path: 'handler' });
    }
    const start = options.start ?? 'earliest';
    this.#checkPosition(start);
    const member = await Member.start({
      topic: options.topic,
      group: options.group,
      handler: options.handler as SubscribeOptions['handler'],
      policy: resolvePolicy(options.policy),
      start,
      middleware: this.#middleware,
      observer: this.#observer,
      transport: this.#transport,
      deadLetter: async (record) => {
        await this.#transport.publish(deadLetterTopicOf(options.topic), [record]);
      },
    });
    const subscription: Subscription = {
      topic: member.topic,
      group: member.group,
      close: async () => {
        await member.close();
        this.#members.delete(subscription);
      },
    };
    this.#members.add(subscription);
    return subscription;
  }

  read(topic: string, options: ReadOptions): AsyncIterable<StoredEvent> {
    this.#open();
    validateTopicName(topic);
    this.#checkPosition(options.from);
    return this.#transport.read(topic, options);
  }

  async resetGroup(topic: string, group: string, position: Position): Promise<void> {
    this.#open();
    validateTopicName(topic);
    validateGroupName(group);
    this.#checkPosition(position);
    await this.#transport.resetGroup(topic, group, position);
  }

  topics(): Promise<TopicInfo[]> {
    return this.#transport.topics();
  }

  async groups(topic?: string): Promise<GroupStats[]> {
    const groups = await this.#transport.groups(topic);
    const deadCounts = new Map<string, Map<string, number>>();
    const known = new Set((await this.#transport.topics()).map((t) => t.topic));
    for (const name of new Set(groups.map((g) => g.topic))) {
      const counts = new Map<string, number>();
      deadCounts.set(name, counts);
      const dlq = deadLetterTopicOf(name);
      if (!known.has(dlq) || !this.capabilities.replay) continue;
      for await (const stored of this.#transport.read(dlq, { from: 'earliest' })) {
        const letter = readDeadLetter(stored.offset, stored.event);
        if (letter) counts.set(letter.group, (counts.get(letter.group) ?? 0) + 1);
      }
    }
    return groups.map((g) => ({ ...g, deadLettered: deadCounts.get(g.topic)?.get(g.group) ?? 0 }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#members].map((member) => member.close()));
    await this.#transport.close();
  }

  async #listDeadLetters(topic: string, query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    this.#open();
    validateTopicName(topic);
    const letters: DeadLetter[] = [];
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    if (!(await this.#topicExists(deadLetterTopicOf(topic)))) return letters;
    for await (const stored of this.read(deadLetterTopicOf(topic), {
      from: query.from ?? 'earliest',
    })) {
      const letter = readDeadLetter(stored.offset, stored.event);
      if (!letter || (query.group !== undefined && letter.group !== query.group)) continue;
      letters.push(letter);
      if (letters.length >= limit) break;
    }
    return letters;
  }

  async #replayDeadLetters(topic: string, query: ReplayQuery = {}): Promise<number> {
    const from = query.fromOffset === undefined ? 'earliest' : { offset: query.fromOffset };
    const ids = query.ids === undefined ? undefined : new Set(query.ids);
    // An event dead-lettered again after a replay has two letters: replay it once.
    const latest = new Map<string, DeadLetter>();
    for (const letter of await this.#listDeadLetters(topic, { from, group: query.group })) {
      if (ids === undefined || ids.has(letter.event.id)) {
        latest.set(`${letter.group}\u0000${letter.event.id}`, letter);
      }
    }
    const letters = [...latest.values()];
    if (letters.length > 0) await this.publish(topic, letters.map(replayEnvelope));
    return letters.length;
  }

  async #topicExists(topic: string): Promise<boolean> {
    return (await this.#transport.topics()).some((info) => info.topic === topic);
  }

  #publishOptions(options: PublishOptions): TransportPublishOptions | undefined {
    const deliverAt = deliverAtOf(options);
    if (deliverAt === undefined) return undefined;
    if (!this.capabilities.delayedDelivery) {
      throw new UnsupportedError(
        `the ${this.capabilities.engine} broker does not support delayed delivery`,
      );
    }
    return { deliverAt };
  }

  #checkPosition(position: Position): void {
    if (typeof position === 'string') {
      if (position !== 'earliest' && position !== 'latest') {
        throw new ValidationError(`unknown position '${position}'`, { path: 'position' });
      }
      return;
    }
    if ('offset' in position) {
      if (!Number.isInteger(position.offset) || position.offset < 0) {
        throw new ValidationError('position offset must be a whole number >= 0', {
          path: 'position',
        });
      }
      if (!this.capabilities.replay) {
        throw new UnsupportedError(
          `the ${this.capabilities.engine} broker cannot replay from an offset`,
        );
      }
      return;
    }
    if (!(position.time instanceof Date) || Number.isNaN(position.time.getTime())) {
      throw new ValidationError('position time must be a valid Date', { path: 'position' });
    }
    if (!this.capabilities.replayFromTime) {
      throw new UnsupportedError(
        `the ${this.capabilities.engine} broker cannot replay from a time`,
      );
    }
  }

  #open(): void {
    if (this.#closed) throw new ClosedError('broker is closed');
  }
}

function isEnvelopeList(events: Envelope | readonly Envelope[]): events is readonly Envelope[] {
  return Array.isArray(events);
}

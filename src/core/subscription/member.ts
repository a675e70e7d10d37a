/**
 * One subscription: a member of a group. Takes deliveries from the engine,
 * runs them through the keyed dispatcher (order per key, concurrency limit),
 * retries, dead-letters, and settles each delivery exactly once.
 */
import type { Handler, HandlerContext, Middleware, Subscription } from '../broker.ts';
import type { Delivery } from '../delivery.ts';
import type { Envelope } from '../envelope.ts';
import { describeError } from '../errors.ts';
import type { BrokerObserver } from '../observer.ts';
import type { ResolvedPolicy } from '../policy.ts';
import type { Position } from '../position.ts';
import { sleep } from '../sleep.ts';
import type { Transport, TransportConsumer } from '../transport.ts';
import { deadLetterEnvelope, isForGroup } from './dead-letter.ts';
import { KeyedDispatcher } from './keyed-dispatcher.ts';
import { type RetryOutcome, retry } from './retry.ts';
import { limitTry } from './timeout.ts';

export interface MemberOptions {
  readonly topic: string;
  readonly group: string;
  readonly handler: Handler;
  readonly policy: ResolvedPolicy;
  readonly start: Position;
  readonly middleware: readonly Middleware[];
  readonly observer: BrokerObserver;
  readonly transport: Transport;
  /** Publishes a dead-letter record durably. */
  readonly deadLetter: (record: Envelope) => Promise<void>;
}

/** What a settled delivery's processing returns: nothing left to wait for. */
const SETTLED = Promise.resolve();

interface Item {
  readonly key: string | undefined;
  readonly delivery: Delivery;
}

export class Member implements Subscription {
  readonly topic: string;
  readonly group: string;
  readonly #options: MemberOptions;
  readonly #handler: Handler;
  readonly #dispatcher: KeyedDispatcher<Item>;
  readonly #stopping = new AbortController();
  #consumer: TransportConsumer | undefined;
  #closing: Promise<void> | undefined;

  private constructor(options: MemberOptions) {
    this.#options = options;
    this.topic = options.topic;
    this.group = options.group;
    this.#handler = options.middleware.reduceRight<Handler>(
      (next, middleware) => middleware(next),
      options.handler,
    );
    this.#dispatcher = new KeyedDispatcher(
      (item) => this.#process(item.delivery),
      options.policy.concurrency,
    );
  }

  static async start(options: MemberOptions): Promise<Member> {
    const member = new Member(options);
    member.#consumer = await options.transport.consume({
      topic: options.topic,
      group: options.group,
      start: options.start,
      maxInFlight: options.policy.maxInFlight,
      deliver: (delivery) => member.#accept(delivery),
      onError: (error) =>
        options.observer.failed?.('consumer trouble, recovering', error, {
          topic: options.topic,
          group: options.group,
        }),
    });
    return member;
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    this.#consumer?.stop();
    this.#stopping.abort();
    for (const item of this.#dispatcher.stop()) item.delivery.nack();
    await this.#dispatcher.idle();
    await this.#consumer?.close();
  }

  #accept(delivery: Delivery): void {
    if (this.#closing) {
      delivery.nack();
      return;
    }
    this.#dispatcher.push({ key: delivery.event.partitionkey, delivery });
  }

  /**
   * Settles `delivery`; never rejects. Not async: a first try that returns
   * synchronously costs one promise here instead of an async chain per event
   * (most of the delivery path's cost, see bench/). The settle still comes
   * a microtask later, never inside the engine's own `deliver` call.
   */
  #process(delivery: Delivery): Promise<void> {
    const { observer, policy, topic, group } = this.#options;
    let outcome: RetryOutcome | Promise<RetryOutcome>;
    try {
      if (!isForGroup(delivery.event, group)) {
        delivery.ack();
        return SETTLED;
      }
      outcome = retry(
        delivery,
        policy,
        (attempt) => this.#tryOnce(delivery, attempt),
        this.#stopping.signal,
        {
          retrying: (attempt, error, delayMs) =>
            observer.retried?.(topic, group, attempt, error, delayMs, delivery.event),
        },
      );
    } catch (error) {
      this.#failed(delivery, error);
      return SETTLED;
    }
    return Promise.resolve(outcome).then(
      (done) => this.#conclude(delivery, done),
      (error: unknown) => this.#failed(delivery, error),
    );
  }

  #conclude(delivery: Delivery, outcome: RetryOutcome): Promise<void> | undefined {
    try {
      if (outcome.kind === 'done') {
        delivery.ack();
        this.#options.observer.consumed?.(this.topic, this.group);
      } else if (outcome.kind === 'stopped') {
        delivery.nack();
      } else {
        return this.#deadLetter(delivery, outcome.attempt, outcome.error).catch((error: unknown) =>
          this.#failed(delivery, error),
        );
      }
    } catch (error) {
      this.#failed(delivery, error);
    }
    return undefined;
  }

  async #deadLetter(delivery: Delivery, attempts: number, error: unknown): Promise<void> {
    const { observer, topic, group } = this.#options;
    const record = deadLetterEnvelope(delivery.event, {
      topic,
      group,
      offset: delivery.offset,
      attempts,
      error,
    });
    if (await this.#publishDeadLetter(record)) {
      delivery.term(String(record.dlqreason));
      observer.deadLettered?.(topic, group, String(record.dlqreason), delivery.event);
    } else {
      delivery.nack();
    }
  }

  #failed(delivery: Delivery, error: unknown): void {
    const { topic, group } = this.#options;
    this.#options.observer.failed?.('delivery failed outside its handler', error, { topic, group });
    delivery.nack(1_000);
  }

  /** One try: undefined when a synchronous handler returned, else as `limitTry`. */
  #tryOnce(delivery: Delivery, attempt: number): undefined | Promise<void> {
    const { observer, policy, topic, group } = this.#options;
    const started = performance.now();
    let pending: undefined | Promise<void>;
    try {
      pending = limitTry(policy.timeoutMs, (trySignal) => {
        const context: HandlerContext = {
          topic,
          group,
          offset: delivery.offset,
          partition: delivery.partition,
          attempt,
          get signal() {
            return trySignal.signal;
          },
        };
        return this.#handler(delivery.event, context);
      });
    } catch (error) {
      observer.tried?.(topic, group, false, (performance.now() - started) / 1000, error);
      throw error;
    }
    if (pending === undefined) {
      observer.tried?.(topic, group, true, (performance.now() - started) / 1000);
      return undefined;
    }
    return pending.then(
      () => observer.tried?.(topic, group, true, (performance.now() - started) / 1000),
      (error: unknown) => {
        observer.tried?.(topic, group, false, (performance.now() - started) / 1000, error);
        throw error;
      },
    );
  }

  /** Keeps trying to store the dead letter until it is stored or the member closes. */
  async #publishDeadLetter(record: Envelope): Promise<boolean> {
    for (let wait = 100; ; wait = Math.min(wait * 2, 10_000)) {
      try {
        await this.#options.deadLetter(record);
        return true;
      } catch (error) {
        this.#options.observer.failed?.(
          `could not store dead letter, retrying: ${describeError(error)}`,
          error,
          { topic: this.topic, group: this.group },
        );
        if (!(await sleep(wait, this.#stopping.signal))) return false;
      }
    }
  }
}

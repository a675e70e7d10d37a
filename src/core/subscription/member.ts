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
import { type RetryHooks, type RetryOutcome, retry, type TryOnce } from './retry.ts';
import { limitTry, TrySignal } from './timeout.ts';

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

const SETTLED = Promise.resolve();
/** The outcome of every try that succeeded synchronously (`#conclude` reads only its kind). */
const DONE: RetryOutcome = Object.freeze({ kind: 'done', attempt: 1 });

interface Item {
  readonly key: string | undefined;
  readonly delivery: Delivery;
}

/** What a handler is given about its try; one object per try, no closures. */
class TryContext implements HandlerContext {
  readonly #trySignal = new TrySignal();

  constructor(
    readonly topic: string,
    readonly group: string,
    readonly offset: number,
    readonly partition: number,
    readonly attempt: number,
  ) {}

  get signal(): AbortSignal {
    return this.#trySignal.signal;
  }

  static trySignalOf(context: TryContext): TrySignal {
    return context.#trySignal;
  }
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
  /** Deliveries whose try succeeded synchronously, acked together on the next microtask. */
  #finished: Delivery[] = [];
  // Made once per member, not per delivery.
  readonly #tryOnce: TryOnce = (attempt, delivery) => this.#try(delivery, attempt);
  readonly #hooks: RetryHooks;
  readonly #concludeFinished = () => this.#concludeAll();

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
    const { observer, topic, group } = options;
    this.#hooks = {
      retrying: (attempt, error, delayMs, delivery) =>
        observer.retried?.(topic, group, attempt, error, delayMs, delivery.event),
    };
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
    this.#concludeAll();
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
   * Settles `delivery`; never rejects. Undefined when the try finished
   * synchronously (the common case): its conclusion is then queued and made
   * with the others of this tick on one microtask, so a delivery costs no
   * promise, and the settle never comes inside the engine's own `deliver`
   * call. Else a promise of the conclusion.
   */
  #process(delivery: Delivery): Promise<void> | undefined {
    let outcome: RetryOutcome | Promise<RetryOutcome>;
    try {
      if (!isForGroup(delivery.event, this.group)) {
        delivery.ack();
        return undefined;
      }
      outcome = retry(
        delivery,
        this.#options.policy,
        this.#tryOnce,
        this.#stopping.signal,
        this.#hooks,
      );
    } catch (error) {
      this.#failed(delivery, error);
      return undefined;
    }
    if (!(outcome instanceof Promise)) {
      if (outcome.kind !== 'done') {
        // Given up before a try: the item runs until its dead letter is stored.
        const given = outcome;
        return SETTLED.then(() => this.#conclude(delivery, given));
      }
      if (this.#finished.push(delivery) === 1) queueMicrotask(this.#concludeFinished);
      return undefined;
    }
    return outcome.then(
      (done) => this.#conclude(delivery, done),
      (error: unknown) => this.#failed(delivery, error),
    );
  }

  #concludeAll(): void {
    const finished = this.#finished;
    this.#finished = [];
    for (const delivery of finished) this.#conclude(delivery, DONE);
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
  #try(delivery: Delivery, attempt: number): undefined | Promise<void> {
    const { observer, policy, topic, group } = this.#options;
    const tried = observer.tried;
    const started = tried ? performance.now() : 0;
    const context = new TryContext(topic, group, delivery.offset, delivery.partition, attempt);
    let pending: undefined | Promise<void>;
    try {
      pending = limitTry(
        policy.timeoutMs,
        TryContext.trySignalOf(context),
        this.#handler(delivery.event, context),
      );
    } catch (thrown) {
      const error = thrown ?? new Error('handler threw undefined');
      tried?.call(observer, topic, group, false, (performance.now() - started) / 1000, error);
      throw error;
    }
    if (!tried) return pending;
    if (pending === undefined) {
      tried.call(observer, topic, group, true, (performance.now() - started) / 1000);
      return undefined;
    }
    return pending.then(
      () => tried.call(observer, topic, group, true, (performance.now() - started) / 1000),
      (error: unknown) => {
        tried.call(observer, topic, group, false, (performance.now() - started) / 1000, error);
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

/**
 * Turns a service's handler into a broker handler: each delivery gets a
 * ServiceHandlerContext with a unit of work bound to the delivery's inbox
 * record and a logger carrying the event's trace fields.
 */
import type { Transaction } from 'kysely';
import type { Handler, HandlerContext } from '../core/broker.ts';
import type { Envelope } from '../core/envelope.ts';
import type { TransactionResult, UnitOfWork } from '../core/unit-of-work.ts';
import type { Logger } from '../observability/logger.ts';
import { traceFieldsOf } from '../observability/trace-fields.ts';
import type { AppStore } from './app-store.ts';
import type { ServiceHandler, ServiceHandlerContext } from './service.ts';

export interface ServiceHandlerDeps {
  readonly store: AppStore;
  /** The service's logger; each delivery takes a child of it. */
  readonly logger: Logger;
}

export function serviceHandler(handler: ServiceHandler<never>, deps: ServiceHandlerDeps): Handler {
  return (event, context) =>
    handler(event as Envelope<never>, new DeliveryContext(event, context, deps));
}

/**
 * The inbox key is scoped by topic as well as group: an event forwarded to
 * a second topic with its id kept (a mirror does that) is a new event for a
 * group that consumes both topics, not a redelivery.
 */
export function inboxGroupOf(topic: string, group: string): string {
  return `${topic}/${group}`;
}

class DeliveryContext implements ServiceHandlerContext {
  readonly #event: Envelope;
  readonly #context: HandlerContext;
  readonly #deps: ServiceHandlerDeps;
  #logger: Logger | undefined;

  constructor(event: Envelope, context: HandlerContext, deps: ServiceHandlerDeps) {
    this.#event = event;
    this.#context = context;
    this.#deps = deps;
  }

  get topic(): string {
    return this.#context.topic;
  }
  get group(): string {
    return this.#context.group;
  }
  get offset(): number {
    return this.#context.offset;
  }
  get partition(): number {
    return this.#context.partition;
  }
  get attempt(): number {
    return this.#context.attempt;
  }
  // Read through: the broker makes a try's AbortController only when asked.
  get signal(): AbortSignal {
    return this.#context.signal;
  }

  /** Made on first use: most deliveries log nothing, and a pino child costs an allocation. */
  get logger(): Logger {
    this.#logger ??= this.#deps.logger.child({
      topic: this.topic,
      group: this.group,
      offset: this.offset,
      attempt: this.attempt,
      ...traceFieldsOf(this.#event),
    });
    return this.#logger;
  }

  /** An arrow property, so `({ transaction }) => ...` destructuring keeps working. */
  readonly transaction = <R>(
    // biome-ignore lint/suspicious/noExplicitAny: the app's table types are its own (see service.ts)
    work: (uow: UnitOfWork<Transaction<any>>) => Promise<R> | R,
  ): Promise<TransactionResult<R>> =>
    this.#deps.store.transaction(work, {
      inbox: { group: inboxGroupOf(this.topic, this.group), eventId: this.#event.id },
    });
}

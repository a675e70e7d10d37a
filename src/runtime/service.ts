/**
 * How an app declares its services: event subscriptions and HTTP routes,
 * run by the service host (host.ts) in one process or spread over many
 * (`eventyard run <service...>`). Apps program against this file, the
 * broker and the store contracts, never against an adapter.
 */
import type { FastifyInstance } from 'fastify';
import type { Migration, Transaction } from 'kysely';
import type { Broker, HandlerContext } from '../core/broker.ts';
import type { Envelope } from '../core/envelope.ts';
import { ConfigError } from '../core/errors.ts';
import type { ObjectStore } from '../core/object-store.ts';
import type { DeliveryPolicy } from '../core/policy.ts';
import type { Position } from '../core/position.ts';
import type { TransactionResult, UnitOfWork } from '../core/unit-of-work.ts';
import type { Logger } from '../observability/logger.ts';
import type { AppStore } from './app-store.ts';
import type { Config } from './config.ts';

// Kysely types queries by the database's table interface; an app names its
// own (`ServiceContext<MediaDb>`), and `any` lets an app that does not
// write untyped queries.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = any;

/** What a service is given when it starts. */
export interface ServiceContext<DB = AnyDb> {
  readonly broker: Broker;
  readonly store: AppStore<DB>;
  /** Object storage (buckets of blobs), the same for every service of the process. */
  readonly objects: ObjectStore;
  readonly config: Config;
  /**
   * Base URL clients reach this deployment's HTTP API at, for links in
   * records: EVENTYARD_PUBLIC_URL, else the address this host listens on.
   * Known once the host listens (before subscriptions and `start` run).
   */
  readonly publicUrl: string;
  /** Child of the process logger with `app` and `service`. */
  readonly logger: Logger;
}

/** What a service's handler gets with each delivery. */
export interface ServiceHandlerContext<DB = AnyDb> extends HandlerContext {
  /**
   * A unit of work for this delivery: state changes, emitted events and the
   * record that this group handled this event commit in one transaction. A
   * redelivered event returns `{ duplicate: true }` without running `work`.
   * One per delivery: a second call finds the first's record and is a duplicate.
   * Do slow I/O before it; on SQLite it holds the one writer while it runs.
   */
  transaction<R>(
    work: (uow: UnitOfWork<Transaction<DB>>) => Promise<R> | R,
  ): Promise<TransactionResult<R>>;
  /** Child logger with topic, group, event id and type, correlation id, traceparent, attempt. */
  readonly logger: Logger;
}

export type ServiceHandler<T = unknown, DB = AnyDb> = (
  event: Envelope<T>,
  context: ServiceHandlerContext<DB>,
) => void | Promise<void>;

export interface ServiceSubscription<T = unknown, DB = AnyDb> {
  readonly topic: string;
  /** Consumer group. Default `<app>.<service>`. */
  readonly group?: string;
  /** Returns to acknowledge; throws to retry, `PermanentError` to dead-letter at once. */
  readonly handler: ServiceHandler<T, DB>;
  /** Retry, timeout and concurrency (core/policy.ts documents the defaults). */
  readonly policy?: DeliveryPolicy;
  /** Where a new group starts. Default `earliest`. */
  readonly start?: Position;
}

export interface ServiceDefinition<DB = AnyDb> {
  /** Lowercase letters, digits and '-'; unique within its app. */
  readonly name: string;
  subscriptions?(context: ServiceContext<DB>): readonly ServiceSubscription<never, DB>[];
  /** Registers HTTP routes; the host gives each service its own encapsulated Fastify scope. */
  routes?(http: FastifyInstance, context: ServiceContext<DB>): void | Promise<void>;
  /**
   * Starts what else the service runs (a listener of its own, such as the
   * S3 endpoint); runs after the host listens. The result is closed at
   * shutdown, before the engines.
   */
  start?(context: ServiceContext<DB>): Promise<RunningPart>;
}

/** Something a service started that the host closes at shutdown. */
export interface RunningPart {
  /** Where it listens, if it does (logged, and shown on Host.parts). */
  readonly url?: string;
  close(): Promise<void>;
}

export interface AppDefinition {
  /** Lowercase letters, digits and '-'; also names the app's migration table. */
  readonly name: string;
  /** Kysely migrations, applied in name order before any of the app's services start. */
  readonly migrations?: Readonly<Record<string, Migration>>;
  readonly services: readonly ServiceDefinition[];
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Checks an app's names once, where it is defined, and returns it. */
export function defineApp(app: AppDefinition): AppDefinition {
  checkName(app.name, 'app name');
  const seen = new Set<string>();
  for (const service of app.services) {
    checkName(service.name, `service name in app '${app.name}'`);
    if (seen.has(service.name)) {
      throw new ConfigError(`app '${app.name}' defines service '${service.name}' twice`, {
        path: `${app.name}.${service.name}`,
      });
    }
    seen.add(service.name);
  }
  return app;
}

/** A service's full name: `<app>.<service>`. */
export function serviceId(app: AppDefinition, service: ServiceDefinition): string {
  return `${app.name}.${service.name}`;
}

function checkName(name: unknown, what: string): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ConfigError(
      `invalid ${what} ${JSON.stringify(name)}: use lowercase letters, digits and '-', starting with a letter`,
      { path: String(name) },
    );
  }
}

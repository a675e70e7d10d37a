/**
 * The service host: opens the engines, applies the selected apps'
 * migrations, serves HTTP (health, metrics, events API, the services'
 * routes) and runs the services' subscriptions, until `close()` drains it.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import type { Subscription } from '../core/broker.ts';
import { ConfigError } from '../core/errors.ts';
import { LogObserver } from '../observability/log-observer.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { BrokerMetrics } from '../observability/metrics.ts';
import { fanOutObservers } from '../observability/observer-fan-out.ts';
import type { AppStore } from './app-store.ts';
import type { Config } from './config.ts';
import { type Engines, openEngines } from './engines.ts';
import { buildHttpApp } from './http-app.ts';
import type { AppDefinition, RunningPart, ServiceContext } from './service.ts';
import { serviceHandler } from './service-handler.ts';
import { type SelectedService, selectServices } from './service-selection.ts';
import { closeWithin } from './shutdown-deadline.ts';

export interface HostOptions {
  readonly config: Config;
  readonly apps: readonly AppDefinition[];
  /** Names of the services to run (see `selectServices`). Default: every service of every app. */
  readonly services?: readonly string[];
  /** Default: JSON logs on stdout at EVENTYARD_LOG_LEVEL. */
  readonly logger?: Logger;
  /** Largest HTTP request body in bytes. Default 1 MiB. */
  readonly bodyLimit?: number;
}

export interface Host {
  /** Where the HTTP server listens, with the real port when EVENTYARD_PORT is 0. */
  readonly url: string;
  readonly engines: Engines;
  readonly http: FastifyInstance;
  /** The services running here, as `<app>.<service>`. */
  readonly services: readonly string[];
  /** What services started besides routes and subscriptions (the S3 endpoint, say), with their URLs. */
  readonly parts: ReadonlyArray<{ readonly service: string; readonly url?: string }>;
  /**
   * Stops taking HTTP requests, closes the subscriptions (running handlers
   * finish and are acknowledged), then the engines; all within
   * EVENTYARD_SHUTDOWN_TIMEOUT_MS, else it rejects with a TimeoutError and
   * the unfinished events stay unacknowledged (redelivered later).
   * Idempotent.
   */
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config);
  const selected = selectServices(options.apps, options.services);
  const registry = new Registry();
  const metrics = new BrokerMetrics(registry);
  const engines = await openEngines(config, {
    observer: fanOutObservers(metrics, new LogObserver(logger.child({ component: 'broker' }))),
    onError: (error) => logger.error({ err: error }, 'engine trouble, recovering'),
  });
  let http: FastifyInstance | undefined;
  const subscriptions: Subscription[] = [];
  const parts: Array<RunningPart & { service?: string }> = [];
  try {
    await engines.broker.ready();
    metrics.watchLag(() => engines.broker.groups());
    await migrateApps(engines.store, selected);
    http = await buildHttpApp({ engines, registry, logger, bodyLimit: options.bodyLimit });
    const address: { url?: string } = {};
    const contexts = selected.map((entry) =>
      serviceContextOf(entry, engines, config, logger, () => address.url ?? ''),
    );
    for (const [i, entry] of selected.entries()) await registerRoutes(http, entry, contexts[i]!);
    const url = await listen(http, config);
    address.url = url;
    for (const [i, entry] of selected.entries()) {
      subscriptions.push(...(await subscribeService(entry, contexts[i]!)));
    }
    for (const [i, entry] of selected.entries()) {
      const part = await entry.service.start?.call(entry.service, contexts[i]!);
      if (part) parts.push(Object.assign(part, { service: entry.id }));
    }
    const host = new RunningHost({
      url,
      engines,
      http,
      subscriptions,
      parts,
      config,
      logger,
      selected,
    });
    logger.info(
      {
        url,
        services: host.services,
        parts: host.parts.filter((part) => part.url),
        engines: engines.engines,
        dataDir: config.EVENTYARD_DATA_DIR,
      },
      `eventyard listening on ${url}`,
    );
    return host;
  } catch (error) {
    await Promise.allSettled(parts.map((part) => part.close()));
    await Promise.allSettled(subscriptions.map((subscription) => subscription.close()));
    await http?.close().catch(() => {});
    await engines.close().catch(() => {});
    throw error;
  }
}

class RunningHost implements Host {
  readonly url: string;
  readonly engines: Engines;
  readonly http: FastifyInstance;
  readonly services: readonly string[];
  readonly parts: ReadonlyArray<{ readonly service: string; readonly url?: string }>;
  readonly #subscriptions: readonly Subscription[];
  readonly #parts: readonly RunningPart[];
  readonly #config: Config;
  readonly #logger: Logger;
  #closing: Promise<void> | undefined;

  constructor(parts: {
    url: string;
    engines: Engines;
    http: FastifyInstance;
    subscriptions: readonly Subscription[];
    parts: readonly RunningPart[];
    config: Config;
    logger: Logger;
    selected: readonly SelectedService[];
  }) {
    this.url = parts.url;
    this.engines = parts.engines;
    this.http = parts.http;
    this.services = parts.selected.map((entry) => entry.id);
    this.#subscriptions = parts.subscriptions;
    this.#parts = parts.parts;
    this.parts = parts.parts.map((part) => ({
      service: (part as { service?: string }).service ?? '',
      url: part.url,
    }));
    this.#config = parts.config;
    this.#logger = parts.logger;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const timeoutMs = this.#config.EVENTYARD_SHUTDOWN_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    this.#logger.info({ timeoutMs }, 'shutting down: draining HTTP requests and running handlers');
    await closeWithin(deadline, timeoutMs, 'HTTP requests in flight', () =>
      Promise.all([this.http.close(), ...this.#parts.map((part) => part.close())]),
    );
    await closeWithin(deadline, timeoutMs, 'running handlers', () =>
      Promise.all(this.#subscriptions.map((subscription) => subscription.close())),
    );
    await closeWithin(deadline, timeoutMs, 'the engines', () => this.engines.close());
    this.#logger.info('stopped');
  }
}

async function migrateApps(store: AppStore, selected: readonly SelectedService[]): Promise<void> {
  const apps = new Set(selected.map((entry) => entry.app));
  for (const app of apps) {
    if (app.migrations && Object.keys(app.migrations).length > 0) {
      await store.migrate(app.name, app.migrations);
    }
  }
}

function serviceContextOf(
  entry: SelectedService,
  engines: Engines,
  config: Config,
  logger: Logger,
  listenUrl: () => string,
): ServiceContext {
  return {
    broker: engines.broker,
    store: engines.store,
    objects: engines.objects,
    config,
    get publicUrl() {
      return (config.EVENTYARD_PUBLIC_URL || listenUrl()).replace(/\/+$/, '');
    },
    logger: logger.child({ app: entry.app.name, service: entry.service.name }),
  };
}

/** Each service gets its own Fastify scope: its hooks and parsers stay its own. */
async function registerRoutes(
  http: FastifyInstance,
  entry: SelectedService,
  context: ServiceContext,
): Promise<void> {
  const routes = entry.service.routes;
  if (!routes) return;
  await http.register(async (scope) => {
    await routes.call(entry.service, scope, context);
  });
}

async function subscribeService(
  entry: SelectedService,
  context: ServiceContext,
): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  for (const subscription of entry.service.subscriptions?.(context) ?? []) {
    subscriptions.push(
      await context.broker.subscribe({
        topic: subscription.topic,
        group: subscription.group ?? entry.id,
        handler: serviceHandler(subscription.handler, {
          store: context.store,
          logger: context.logger,
        }),
        policy: subscription.policy,
        start: subscription.start,
      }),
    );
  }
  return subscriptions;
}

/** Listens on EVENTYARD_HOST:EVENTYARD_PORT; an address that cannot be had is a config error. */
async function listen(http: FastifyInstance, config: Config): Promise<string> {
  const host = config.EVENTYARD_HOST;
  const port = config.EVENTYARD_PORT;
  try {
    await http.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw new ConfigError(
        `EVENTYARD_PORT=${port}: cannot listen on ${host}:${port} (${code === 'EADDRINUSE' ? 'in use by another process' : 'permission denied'})`,
        { path: 'EVENTYARD_PORT', cause: error },
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new ConfigError(`EVENTYARD_HOST=${host}: no such interface on this machine`, {
        path: 'EVENTYARD_HOST',
        cause: error,
      });
    }
    throw error;
  }
  return urlOf(http.server.address() as AddressInfo);
}

/** A URL a client on this machine can use: the unspecified address becomes loopback. */
function urlOf(address: AddressInfo): string {
  if (address.family === 'IPv6') {
    const host = address.address === '::' ? '::1' : address.address;
    return `http://[${host}]:${address.port}`;
  }
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  return `http://${host}:${address.port}`;
}

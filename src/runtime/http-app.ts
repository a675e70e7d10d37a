/**
 * The one HTTP server of a process: /health, /metrics, the events API, and
 * the routes of the services the host runs. Built apart from `listen()` so
 * tests drive it with `inject()`.
 */
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import { NotFoundError } from '../core/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Engines } from './engines.ts';
import { eventsApi } from './events-api.ts';
import { httpErrorOf } from './http-errors.ts';

export interface HttpAppOptions {
  readonly engines: Pick<Engines, 'broker' | 'health'>;
  /** The registry /metrics exposes. */
  readonly registry: Registry;
  readonly logger: Logger;
  /** Largest request body in bytes; larger ones get 413. Default 1 MiB. */
  readonly bodyLimit?: number;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Probes and scrapes come every few seconds; logging each would bury the requests that matter. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const http = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }),
    logController: new LogController({
      disableRequestLogging: (request: { url?: string }) =>
        QUIET_PATHS.has((request.url ?? '').split('?', 1)[0]!),
    }),
    bodyLimit,
    // Lets close() finish promptly: idle keep-alive connections are closed, busy ones finish.
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;

  http.setErrorHandler((error, request, reply) => {
    const { status, body } = httpErrorOf(error, {
      // A route may set its own limit (the jobs API's is its payload limit).
      bodyLimit: request.routeOptions?.bodyLimit ?? bodyLimit,
      contentType: request.headers['content-type'],
    });
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    reply.code(status).send(body);
  });
  http.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0]!;
    const { status, body } = httpErrorOf(
      new NotFoundError(`no route ${request.method} ${path}`, { path }),
    );
    reply.code(status).send(body);
  });

  http.get('/health', async (_request, reply) => {
    const engines = await options.engines.health();
    const failing = engines.filter((engine) => !engine.ok);
    if (failing.length === 0) return { status: 'ok', engines };
    const names = failing.map((engine) => `${engine.name} (${engine.engine})`).join(', ');
    reply.code(503);
    return {
      status: 'unavailable',
      engines,
      error: { code: 'EY_ENGINE', message: `not healthy: ${names}` },
    };
  });

  http.get('/metrics', async (_request, reply) => {
    reply.type(options.registry.contentType);
    return options.registry.metrics();
  });

  await http.register(eventsApi, { broker: options.engines.broker });
  return http;
}

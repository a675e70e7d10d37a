/**
 * The S3 REST endpoint: any S3 client (AWS SDKs, aws CLI, s3cmd) reads and
 * writes an ObjectStore through it, as it would MinIO. Engine-agnostic: it
 * knows only the ObjectStore contract. Built apart from `listen()` so tests
 * can drive it with `inject()`; `startS3Gateway` listens.
 *
 * Addressing: path style (`/bucket/key`) always; virtual-host style
 * (`Host: bucket.localhost:9000`) for hosts under `virtualHostDomains`.
 * Every request is authenticated with AWS Signature Version 4 (header or
 * presigned query form); every response carries `x-amz-request-id`.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ConfigError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/object-store.ts';
import type { Logger } from '../../observability/logger.ts';
import { createAuthenticator } from './authenticate.ts';
import { type S3Address, s3AddressOf } from './s3-address.ts';
import type { S3Settings } from './s3-call.ts';
import { S3Error, s3ErrorOf } from './s3-error.ts';
import { fromFastifyError, sendS3Error, settleUnreadBody } from './s3-error-reply.ts';
import { operationOf } from './s3-operations.ts';
import { queryPairs } from './sigv4/canonical-request.ts';
import type { S3Credentials } from './sigv4/verify-signature.ts';

export type { S3Credentials } from './sigv4/verify-signature.ts';

export interface S3GatewayOptions {
  readonly store: ObjectStore;
  /** Key pairs that may sign requests; at least one. */
  readonly credentials: readonly S3Credentials[];
  /**
   * The region this endpoint is. When set, signatures must be scoped to it
   * (AuthorizationHeaderMalformed otherwise). Default: signatures for any
   * region are accepted, and `us-east-1` is reported.
   */
  readonly region?: string;
  /** Largest object PutObject accepts, in bytes. Default and upper bound: the store's `capabilities.maxObjectBytes`. */
  readonly maxObjectBytes?: number;
  /** Request logs; default none. */
  readonly logger?: Logger;
  /** Domains whose subdomains name buckets (virtual-host style). Default `['localhost']`. */
  readonly virtualHostDomains?: readonly string[];
  /** The clock signatures are checked against; default the system clock. */
  readonly now?: () => Date;
}

export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_VIRTUAL_HOST_DOMAINS: readonly string[] = ['localhost'];

export async function buildS3Gateway(options: S3GatewayOptions): Promise<FastifyInstance> {
  const settings = settingsOf(options);
  const domains = options.virtualHostDomains ?? DEFAULT_VIRTUAL_HOST_DOMAINS;
  const authenticate = createAuthenticator({
    credentials: options.credentials,
    region: options.region,
    now: options.now,
  });
  const addresses = new WeakMap<FastifyRequest, S3Address>();

  const http = Fastify({
    ...(options.logger
      ? { loggerInstance: options.logger.child({ component: 's3' }) }
      : { logger: false }),
    genReqId: () => randomBytes(8).toString('hex').toUpperCase(),
    requestIdHeader: false,
    exposeHeadRoutes: false,
    forceCloseConnections: 'idle',
    frameworkErrors: (error, request, reply) => {
      // Fastify answers these before any hook runs, so the request id is set here.
      reply.header('x-amz-request-id', request.id);
      sendS3Error(request, reply, s3ErrorOf(fromFastifyError(error)), undefined);
    },
  }) as unknown as FastifyInstance;

  // Bodies stream straight from the socket into the store; no parser reads them first.
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('*', (_request, _payload, done) => done(null));

  http.addHook('onRequest', async (request, reply) => {
    reply.header('x-amz-request-id', request.id);
    reply.header('x-amz-id-2', randomBytes(24).toString('base64'));
  });
  http.addHook('onSend', async (request, reply, payload) => {
    if (!request.raw.complete) settleUnreadBody(request, reply);
    return payload;
  });
  http.setErrorHandler((error, request, reply) => {
    const address = addresses.get(request);
    const s3Error = s3ErrorOf(fromFastifyError(error), address);
    if (s3Error.status >= 500) request.log.error({ err: error }, 'S3 request failed');
    sendS3Error(request, reply, s3Error, address);
  });
  // Only methods S3 does not use get here: the routes below match every path.
  http.setNotFoundHandler((request, reply) => {
    const error = new S3Error(
      'MethodNotAllowed',
      405,
      `The specified method is not allowed against this resource: ${request.method}.`,
    );
    sendS3Error(request, reply, error, undefined);
  });

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const address = s3AddressOf(request.raw.url ?? '/', request.headers.host, domains);
    addresses.set(request, address);
    const pairs = queryPairs(address.rawQuery);
    const auth = authenticate(request.raw, address, pairs);
    const query = new URLSearchParams(pairs);
    const operation = operationOf(
      request.method,
      address.bucket,
      address.key,
      query,
      request.headers,
    );
    await operation({ store: options.store, settings, request, reply, address, query, ...auth });
    // Returning the reply tells Fastify it was sent, also while a body still streams.
    return reply;
  };
  const methods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
  http.route({ method: methods, url: '/', handler: handle });
  http.route({ method: methods, url: '/*', handler: handle });
  return http;
}

export interface StartS3GatewayOptions extends S3GatewayOptions {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** Default 9000 (MinIO's); 0 picks a free port. */
  readonly port?: number;
}

export interface RunningS3Gateway {
  /** `http://host:port`, with the real port. */
  readonly url: string;
  readonly app: FastifyInstance;
  /** Stops taking requests; requests in flight finish. */
  close(): Promise<void>;
}

export async function startS3Gateway(options: StartS3GatewayOptions): Promise<RunningS3Gateway> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9000;
  const app = await buildS3Gateway(options);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const why = code === 'EADDRINUSE' ? 'in use by another process' : 'permission denied';
      throw new ConfigError(
        `EVENTYARD_S3_PORT=${port}: cannot listen on ${host}:${port} (${why})`,
        {
          path: 'EVENTYARD_S3_PORT',
          cause: error,
        },
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new ConfigError(`EVENTYARD_S3_HOST=${host}: no such interface on this machine`, {
        path: 'EVENTYARD_S3_HOST',
        cause: error,
      });
    }
    throw error;
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${actualPort}`, app, close: () => app.close() };
}

function settingsOf(options: S3GatewayOptions): S3Settings {
  if (options.credentials.length === 0) {
    throw new ConfigError('the S3 endpoint needs at least one access key', { path: 'credentials' });
  }
  for (const credential of options.credentials) {
    if (!credential.accessKeyId || !credential.secretAccessKey) {
      throw new ConfigError('S3 access keys and secret keys must not be empty', {
        path: 'credentials',
      });
    }
  }
  const storeLimit = options.store.capabilities.maxObjectBytes;
  const limit = options.maxObjectBytes ?? storeLimit;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new ConfigError(`maxObjectBytes must be a whole number of bytes, got ${limit}`, {
      path: 'maxObjectBytes',
    });
  }
  return {
    region: options.region ?? DEFAULT_REGION,
    maxObjectBytes: Math.min(limit, storeLimit),
  };
}

/**
 * The SDK client for one S3 endpoint, configured for S3-compatible servers
 * as well as AWS.
 *
 * Integrity is Content-MD5, which every S3 implementation checks, rather
 * than the SDK's default CRC32 trailers: those need aws-chunked uploads,
 * which s3rver and older MinIO and Ceph releases do not decode (they would
 * store the chunk framing as content). So checksums are computed only where
 * an operation requires one.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { RequestSlots } from './request-slots.ts';
import type { S3Connection } from './s3-url.ts';

export interface S3ClientOptions {
  /** Attempts per request (the SDK retries throttling, 5xx and network errors). Default 3. */
  readonly maxAttempts?: number;
  /** How long opening a connection may take, ms. Default 5 000. */
  readonly connectTimeoutMs?: number;
  /**
   * How long a connection may stay silent in a request, ms (a stalled
   * upload, or a download nobody reads). 0 disables it. Default 120 000.
   */
  readonly idleTimeoutMs?: number;
  /** Connections open to the endpoint at most (requests beyond wait, untimed, in order). Default 50. */
  readonly maxSockets?: number;
  /** The SDK's warnings (exhausted sockets, a failed streaming upload). Default: ignored. */
  readonly onWarning?: (message: string) => void;
}

export const S3_CLIENT_DEFAULTS = {
  maxAttempts: 3,
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  maxSockets: 50,
} as const;

export function createS3Client(connection: S3Connection, options: S3ClientOptions = {}): S3Client {
  const maxSockets = options.maxSockets ?? S3_CLIENT_DEFAULTS.maxSockets;
  const warn = options.onWarning ?? (() => {});
  const say = (...parts: unknown[]) => warn(parts.map(String).join(' '));
  const config: S3ClientConfig = {
    region: connection.region,
    forcePathStyle: connection.forcePathStyle,
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.credentials === undefined ? {} : { credentials: connection.credentials }),
    maxAttempts: options.maxAttempts ?? S3_CLIENT_DEFAULTS.maxAttempts,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? S3_CLIENT_DEFAULTS.connectTimeoutMs,
      socketTimeout: options.idleTimeoutMs ?? S3_CLIENT_DEFAULTS.idleTimeoutMs,
      httpAgent: { keepAlive: true, maxSockets },
      httpsAgent: { keepAlive: true, maxSockets },
    },
    // The SDK logs every request at info level; only its warnings matter here.
    logger: { debug: () => {}, info: () => {}, warn: say, error: say },
  };
  const client = new S3Client(config);
  // Each attempt (the retry middleware is above this step) waits for a slot before it is sent.
  const slots = new RequestSlots(maxSockets);
  client.middlewareStack.add((next) => (args) => slots.run(() => next(args)), {
    step: 'deserialize',
    name: 'eventyardRequestSlots',
  });
  return client;
}

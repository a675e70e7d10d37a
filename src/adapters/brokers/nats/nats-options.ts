/**
 * Options of the NATS JetStream broker, from `EVENTYARD_BROKER`'s URL
 * (`nats://[user:password@]host[:port][?prefix=ey&partitions=8&replicas=1...]`)
 * and from code; code wins. Every query parameter is an option of the same
 * name; an unknown or invalid one is refused with a `ConfigError` naming it.
 */
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';

export interface NatsTransportOptions {
  /**
   * Namespace of every stream, subject and consumer this transport makes,
   * so several apps (or test runs) share one server without seeing each
   * other. Letters, digits and '-'. Default `ey`.
   */
  readonly prefix?: string;
  /** Partition subjects per new topic (an existing stream keeps its own). Default 8. */
  readonly partitions?: number;
  /** Stream replicas on a JetStream cluster. Default 1. */
  readonly replicas?: number;
  /**
   * How long the server waits for an ack before redelivering, ms. Running
   * deliveries are kept alive with `working()`, so this only matters when a
   * member dies: its unacked events come back after it. Default 30 000.
   */
  readonly ackWaitMs?: number;
  /**
   * A member that stops renewing its partition leases (kill -9) loses them
   * after this long, ms. Default 10 000.
   */
  readonly leaseMs?: number;
  /**
   * What a resolved publish survives. JetStream answers once the message is
   * written to its file store, but fsyncs it only every `sync_interval`
   * (2 minutes by default): `process-crash` (default) is honest for such a
   * server, including a crash of nats-server itself. Say `power-loss` only
   * when the server runs with `sync_interval: always`.
   */
  readonly durability?: 'process-crash' | 'power-loss';
  /** How long a publish keeps retrying (reconnects, no PubAck yet) before it rejects, ms. Default 30 000. */
  readonly publishTimeoutMs?: number;
  /** How long connecting may take before `ready()` fails, ms. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Engine trouble being recovered from (lost connection, lost lease). Default ignore. */
  readonly onError?: (error: Error) => void;
}

export interface ResolvedNatsOptions {
  readonly prefix: string;
  readonly partitions: number;
  readonly replicas: number;
  readonly ackWaitMs: number;
  readonly leaseMs: number;
  readonly durability: 'process-crash' | 'power-loss';
  readonly publishTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly onError: (error: Error) => void;
  /** host:port for the client. */
  readonly server: string;
  readonly user?: string;
  readonly pass?: string;
  /** The address for messages, without credentials. */
  readonly address: string;
}

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

const schema = z.object({
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, "letters, digits and '-', starting with a letter or digit")
    .max(32)
    .default('ey'),
  partitions: whole(1, 256).default(8),
  replicas: whole(1, 5).default(1),
  ackWaitMs: whole(1_000).default(30_000),
  leaseMs: whole(300).default(10_000),
  durability: z.enum(['process-crash', 'power-loss']).default('process-crash'),
  publishTimeoutMs: whole(100).default(30_000),
  connectTimeoutMs: whole(100).default(10_000),
});

const URL_PARAMETERS = new Set(Object.keys(schema.shape));

export function resolveNatsOptions(
  url: string,
  options: NatsTransportOptions = {},
): ResolvedNatsOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new ConfigError(`nats URL '${url}' is not a URL`, { path: 'url', cause });
  }
  if (parsed.protocol !== 'nats:') {
    throw new ConfigError(`nats URL must start with nats:// (got ${parsed.protocol}//)`, {
      path: 'url',
    });
  }
  const host = parsed.hostname || '127.0.0.1';
  const port = parsed.port === '' ? 4222 : Number(parsed.port);
  const address = `nats://${host}:${port}`;
  const fromUrl: Record<string, string> = {};
  for (const [name, value] of parsed.searchParams) {
    if (!URL_PARAMETERS.has(name) || name in fromUrl) {
      throw new ConfigError(`nats URL ${address}: unknown or repeated parameter ${name}`, {
        path: name,
      });
    }
    fromUrl[name] = value;
  }
  const { onError, ...rest } = options;
  const given = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const result = schema.safeParse({ ...fromUrl, ...given });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]);
    const where =
      name in given ? `nats broker option ${name}` : `nats URL ${address}: parameter ${name}`;
    throw new ConfigError(`${where}: ${issue.message}`, { path: name });
  }
  return {
    ...result.data,
    onError: onError ?? (() => {}),
    server: `${host}:${port}`,
    user: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    pass: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    address,
  };
}

/**
 * Options of the RabbitMQ broker, validated once when the transport is
 * opened, and the `amqp://` URL that carries the address (and, in its
 * query, the options a deployment sets through EVENTYARD_BROKER alone).
 *
 *   amqp://[user:password@]host[:port][/vhost][?prefix=eventyard&partitions=8&heartbeat=5]
 *   amqps://...   the same over TLS
 *
 * Every process sharing a prefix must use the same `partitions`: a
 * partition is computed by the reader (the key's hash, or the offset for
 * events without a key), so two counts would hand one event to two members.
 */
import type { Options } from 'amqplib';
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';

export interface RabbitMqTransportOptions {
  /** Prefix of every exchange and queue this broker declares. Default `eventyard` (or the URL's `prefix`). */
  readonly prefix?: string;
  /** Partitions of every topic: the unit a group's members share. Default 8 (or the URL's `partitions`). */
  readonly partitions?: number;
  /** How often a member commits its group's positions, ms. Default 200. */
  readonly commitIntervalMs?: number;
  /** How often a member compares its share of partitions with the group's size, ms. Default 500. */
  readonly rebalanceIntervalMs?: number;
  /**
   * How long `publish` keeps trying (through reconnects) before it fails
   * with `EngineError`, ms. Default 30 000.
   */
  readonly publishTimeoutMs?: number;
  /** How long connecting may take before `ready()` fails, ms. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Reconnect delays double from this, ms. Default 100. */
  readonly reconnectMinMs?: number;
  /** ... up to this, ms. Default 5 000. */
  readonly reconnectMaxMs?: number;
  /** AMQP heartbeat: a dead peer is noticed after about twice this, seconds. Default 5. */
  readonly heartbeatSeconds?: number;
  /** Largest serialized event, bytes. Default 1 MiB. */
  readonly maxEventBytes?: number;
  /**
   * Lag is counted exactly by reading what lies between a group's position
   * and the head, up to this many messages; beyond it, lag is the offset
   * distance. Default 10 000.
   */
  readonly lagScanLimit?: number;
  /** How long topic statistics (`topics()`) are reused before they are measured again, ms. Default 1 000. */
  readonly statsTtlMs?: number;
  /** How long the reader that learns where markers land stays attached to a stream after the last one, ms. Default 2 000. */
  readonly tailIdleMs?: number;
  /**
   * Retention of topic streams (`x-max-age`, e.g. `7D`, `12h`): history,
   * replay and dead letters reach back only that far. Default none: keep everything.
   */
  readonly maxAge?: string;
  /** Retention of topic streams by size (`x-max-length-bytes`). Default 0: no limit. */
  readonly maxLengthBytes?: number;
  /** The `connection_name` client property (what `rabbitmqctl list_connections name` shows). Default `eventyard pid <pid>`. */
  readonly connectionName?: string;
  /** Engine trouble being recovered from (lost connection, refused publish). Default ignore. */
  readonly onError?: (error: Error) => void;
}

export interface ResolvedRabbitMqOptions {
  readonly prefix: string;
  readonly connectionName: string;
  readonly partitions: number;
  readonly commitIntervalMs: number;
  readonly rebalanceIntervalMs: number;
  readonly publishTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly heartbeatSeconds: number;
  readonly maxEventBytes: number;
  readonly lagScanLimit: number;
  readonly statsTtlMs: number;
  readonly tailIdleMs: number;
  readonly maxAge: string | undefined;
  readonly maxLengthBytes: number;
  readonly onError: (error: Error) => void;
  /** amqplib's connection options of the address (host, port, vhost, credentials, heartbeat). */
  readonly connection: Options.Connect;
  /** The address for messages, without credentials. */
  readonly address: string;
}

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

const schema = z.object({
  prefix: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/,
      "letters, digits, '_', '.', '-' (at most 40, no ':')",
    )
    .default('eventyard'),
  partitions: whole(1, 256).default(8),
  commitIntervalMs: whole(10).default(200),
  rebalanceIntervalMs: whole(50).default(500),
  publishTimeoutMs: whole(100).default(30_000),
  connectTimeoutMs: whole(100).default(10_000),
  reconnectMinMs: whole(10).default(100),
  reconnectMaxMs: whole(10).default(5_000),
  heartbeatSeconds: whole(0, 600).default(5),
  maxEventBytes: whole(1, 128 * 1024 * 1024).default(1024 * 1024),
  lagScanLimit: whole(0).default(10_000),
  statsTtlMs: whole(0).default(1_000),
  tailIdleMs: whole(0).default(2_000),
  maxAge: z
    .string()
    .regex(/^\d+[YMDhms]$/, 'a number and a unit Y, M, D, h, m or s (e.g. 7D)')
    .optional(),
  maxLengthBytes: whole(0).default(0),
});

export function resolveRabbitMqOptions(
  url: string,
  options: RabbitMqTransportOptions = {},
): ResolvedRabbitMqOptions {
  const parsed = parseUrl(url);
  const fromUrl = Object.fromEntries(
    ['prefix', 'partitions', 'heartbeat'].flatMap((name) => {
      const value = parsed.searchParams.get(name);
      if (value === null) return [];
      return [[name === 'heartbeat' ? 'heartbeatSeconds' : name, value]];
    }),
  );
  const { onError, connectionName, ...rest } = options;
  const result = schema.safeParse({ ...fromUrl, ...stripUndefined(rest) });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const option = issue.path.join('.');
    // A URL parameter is named as the URL spells it (`heartbeat`, not `heartbeatSeconds`).
    const name =
      option === 'heartbeatSeconds' && 'heartbeatSeconds' in fromUrl ? 'heartbeat' : option;
    // Only the parameter's name and the rule: a value may be a secret.
    throw new ConfigError(`rabbitmq broker option ${name}: ${issue.message}`, {
      path: name,
    });
  }
  const resolved = result.data;
  const tls = parsed.protocol === 'amqps:';
  const port = parsed.port === '' ? (tls ? 5671 : 5672) : Number(parsed.port);
  const vhost = parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname.slice(1)) : '/';
  return {
    ...resolved,
    maxAge: resolved.maxAge,
    connectionName: connectionName ?? `eventyard pid ${process.pid}`,
    reconnectMaxMs: Math.max(resolved.reconnectMinMs, resolved.reconnectMaxMs),
    onError: onError ?? (() => {}),
    connection: {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: parsed.hostname,
      port,
      vhost,
      username: parsed.username === '' ? 'guest' : decodeURIComponent(parsed.username),
      password: parsed.password === '' ? 'guest' : decodeURIComponent(parsed.password),
      heartbeat: resolved.heartbeatSeconds,
    },
    address: `${parsed.protocol}//${parsed.hostname}:${port}${vhost === '/' ? '' : `/${vhost}`}`,
  };
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    // Never echo the URL: it may hold a password.
    throw new ConfigError(
      'EVENTYARD_BROKER is not a URL (expected amqp://user:pass@host:port/vhost)',
      {
        path: 'url',
        cause: error,
      },
    );
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new ConfigError(
      `the rabbitmq broker takes amqp:// or amqps:// URLs, not ${parsed.protocol}`,
      {
        path: 'url',
      },
    );
  }
  if (parsed.hostname === '') throw new ConfigError('no host in the amqp:// URL', { path: 'url' });
  return parsed;
}

function stripUndefined(record: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

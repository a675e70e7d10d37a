/**
 * Options of the Redis Streams broker, validated once when the transport
 * is opened, and the `redis://` URL that carries the address and, in its
 * query, the options a deployment sets through EVENTYARD_BROKER alone:
 *
 *   redis://[user:password@]host[:port][/db][?parameter=value&...]
 *   rediss://...   the same over TLS
 *
 * Query parameters (each at most once, except `import`; anything else is
 * refused with a ConfigError naming the parameter):
 *
 *   prefix=eventyard        namespace of every key the broker writes
 *   partitions=8            partitions of a topic the broker creates
 *   leaseMs=10000           partition lease of a group member
 *   blockMs=5000            longest blocking XREADGROUP / XREAD
 *   delayPollMs=1000        longest wait before looking for due delayed events
 *   maxEventBytes=1048576   largest serialized event
 *   maxLength=0             keep about this many entries per partition (0: all)
 *   durability=auto         auto | process-crash | power-loss
 *   connectTimeoutMs=10000  how long `ready()` may take to connect
 *   import=<list>:<topic>   move a list MinIO's Redis target fills into a topic (repeatable)
 *
 * An option passed in code wins over the same URL parameter. Messages name
 * the address without its password.
 */
import type { RedisOptions } from 'ioredis';
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.ts';
import { validateTopicName } from '../../../core/topic.ts';

export interface ListImport {
  /** Redis list another system RPUSHes to (MinIO's Redis target, `access` format). */
  readonly list: string;
  /** Topic each item is published to, as an envelope (see list-import.ts). */
  readonly topic: string;
}

export interface RedisTransportOptions {
  /** Namespace of every key this broker writes. Default `eventyard` (or the URL's `prefix`). */
  readonly prefix?: string;
  /** Partitions of a topic this broker creates; a topic keeps the count it was created with. Default 8. */
  readonly partitions?: number;
  /**
   * How long a member holds a partition without renewing its lease, ms.
   * A member killed with kill -9 has its partitions, and the deliveries it
   * held unacknowledged, taken over (XAUTOCLAIM) by the others after this.
   * Renewed every third of it. Default 10 000.
   */
  readonly leaseMs?: number;
  /** Longest a blocking XREADGROUP / XREAD waits before looking again, ms. Default 5 000. */
  readonly blockMs?: number;
  /** Longest wait before looking for due delayed events another process scheduled, ms. Default 1 000. */
  readonly delayPollMs?: number;
  /** Largest serialized event, bytes. Default 1 MiB. */
  readonly maxEventBytes?: number;
  /**
   * Keep about this many entries per partition stream (XADD MAXLEN ~);
   * older ones are trimmed, and history and replay reach back only that
   * far. Default 0: keep everything (Redis memory grows with the log).
   */
  readonly maxLength?: number;
  /**
   * What a resolved publish survives. `auto` (default) asks the server at
   * `ready()` (CONFIG GET, server-persistence.ts): `power-loss` when it runs
   * with appendonly yes and appendfsync always, else `process-crash`, which
   * here means a kill -9 of this process only: what survives a restart of
   * Redis itself is the server's configuration. `power-loss` is refused at
   * `ready()` when the server says it does not fsync every write.
   */
  readonly durability?: 'auto' | 'process-crash' | 'power-loss';
  /** Lists to move into topics (MinIO's Redis notification target). Default none. */
  readonly imports?: readonly ListImport[];
  /** How long connecting may take before `ready()` fails, ms. Default 10 000. */
  readonly connectTimeoutMs?: number;
  /** Engine trouble being recovered from (lost connection, lost lease). Default ignore. */
  readonly onError?: (error: Error) => void;
}

export interface ResolvedRedisOptions {
  readonly prefix: string;
  readonly partitions: number;
  readonly leaseMs: number;
  readonly blockMs: number;
  readonly delayPollMs: number;
  readonly maxEventBytes: number;
  readonly maxLength: number;
  readonly durability: 'auto' | 'process-crash' | 'power-loss';
  readonly imports: readonly ListImport[];
  readonly connectTimeoutMs: number;
  readonly onError: (error: Error) => void;
  /** ioredis options of the address (host, port, db, credentials, TLS). */
  readonly connection: RedisOptions;
  /** The address for messages, without credentials. */
  readonly address: string;
}

const whole = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);

const schema = z.object({
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'letters, digits, _ . : - (no braces)')
    .default('eventyard'),
  partitions: whole(1, 1024).default(8),
  leaseMs: whole(300).default(10_000),
  blockMs: whole(10).default(5_000),
  delayPollMs: whole(10).default(1_000),
  maxEventBytes: whole(1, 512 * 1024 * 1024).default(1024 * 1024),
  maxLength: whole(0).default(0),
  durability: z.enum(['auto', 'process-crash', 'power-loss']).default('auto'),
  imports: z.array(z.object({ list: z.string().min(1), topic: z.string() })).default([]),
  connectTimeoutMs: whole(100).default(10_000),
});

/** Query parameters a URL may carry (`import` aside): the options of the same name. */
const URL_PARAMETERS = [
  'prefix',
  'partitions',
  'leaseMs',
  'blockMs',
  'delayPollMs',
  'maxEventBytes',
  'maxLength',
  'durability',
  'connectTimeoutMs',
] as const;

export function resolveRedisOptions(
  url: string,
  options: RedisTransportOptions = {},
): ResolvedRedisOptions {
  const parsed = parseUrl(url);
  const address = addressOf(parsed);
  const fromUrl = urlParameters(parsed, address);
  const { onError, ...rest } = options;
  const given = stripUndefined(rest);
  const result = schema.safeParse({ ...fromUrl, ...given });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const name = String(issue.path[0]);
    const where =
      name in given || !(name in fromUrl)
        ? `redis broker option ${issue.path.join('.')}`
        : `redis URL ${address}: parameter ${name === 'imports' ? 'import' : name}`;
    throw new ConfigError(`${where}: ${issue.message}`, { path: name });
  }
  for (const entry of result.data.imports) validateTopicName(entry.topic);
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  return {
    ...result.data,
    onError: onError ?? (() => {}),
    address,
    connection: {
      host,
      port: parsed.port === '' ? 6379 : Number(parsed.port),
      db: databaseOf(parsed, address),
      username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
      password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      tls: parsed.protocol === 'rediss:' ? { servername: host } : undefined,
      // RESP2: the reply shapes read here (stream entries as [id, [field, value...]]) are RESP2's.
      protocol: 2,
      connectTimeout: result.data.connectTimeoutMs,
    },
  };
}

/** The URL's query as options; an unknown or repeated parameter is refused, naming it. */
function urlParameters(parsed: URL, address: string): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const imports: ListImport[] = [];
  for (const [name, value] of parsed.searchParams) {
    if (name === 'import') {
      imports.push(parseImport(value, address));
    } else if (!(URL_PARAMETERS as readonly string[]).includes(name)) {
      throw new ConfigError(
        `redis URL ${address}: unknown parameter '${name}' (known: ${[...URL_PARAMETERS, 'import'].join(', ')})`,
        { path: name },
      );
    } else if (name in values) {
      throw new ConfigError(`redis URL ${address}: parameter ${name} given twice`, { path: name });
    } else {
      values[name] = value;
    }
  }
  if (imports.length > 0) values.imports = imports;
  return values;
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`invalid redis URL '${withoutPassword(url)}'`, {
      path: 'url',
      cause: error,
    });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(
      `redis URL must start with redis:// or rediss://, got '${withoutPassword(url)}'`,
      { path: 'url' },
    );
  }
  return parsed;
}

/** scheme://host:port[/db], never the credentials. */
function addressOf(parsed: URL): string {
  const host = parsed.host || '127.0.0.1:6379';
  const db = parsed.pathname.length > 1 ? parsed.pathname : '';
  return `${parsed.protocol}//${parsed.port === '' && parsed.host ? `${host}:6379` : host}${db}`;
}

function databaseOf(parsed: URL, address: string): number {
  if (parsed.pathname.length <= 1) return 0;
  const text = parsed.pathname.slice(1);
  const db = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(db)) {
    throw new ConfigError(`redis URL ${address}: the path must be a database number`, {
      path: 'url',
    });
  }
  return db;
}

/** A URL as text with any password masked, for messages about a URL that does not parse. */
function withoutPassword(url: string): string {
  return url.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
}

function parseImport(spec: string, address: string): ListImport {
  const colon = spec.lastIndexOf(':');
  if (colon <= 0 || colon === spec.length - 1) {
    throw new ConfigError(
      `redis URL ${address}: parameter import=${spec}: use import=<list>:<topic>`,
      { path: 'import' },
    );
  }
  return { list: spec.slice(0, colon), topic: spec.slice(colon + 1) };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

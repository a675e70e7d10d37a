/**
 * Configuration: environment variables (12-factor), optionally a JSON file
 * named by EVENTYARD_CONFIG whose keys are the same variable names; the
 * environment wins. Every value has a default that works on a fresh
 * machine. A bad value is refused at start with a message naming the
 * variable. The schema's descriptions are the reference (`eventyard config`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../core/errors.ts';
import { describeSettings, flag, parseSettings } from './settings.ts';

const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int({ error: `must be a whole number from ${min} to ${max}` })
    .min(min, { error: `must be a whole number from ${min} to ${max}` })
    .max(max, { error: `must be a whole number from ${min} to ${max}` });
const port = wholeNumber(0, 65_535);
const engineUrl = (schemes: readonly string[]) =>
  z
    .string()
    .trim()
    .refine(
      (value) => value === '' || schemes.includes(schemeOf(value)),
      `must be empty (embedded) or a URL with one of the schemes: ${schemes.join(', ')}`,
    );

/** Development credentials of the S3 endpoint: documented, so refused anywhere but loopback. */
export const DEV_S3_ACCESS_KEY = 'eventyard';
export const DEV_S3_SECRET_KEY = 'eventyard-dev-secret';

export const configSchema = z.object({
  EVENTYARD_PORT: port
    .default(8080)
    .describe('HTTP port of the apps, console, /health and /metrics'),
  EVENTYARD_HOST: z
    .string()
    .trim()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface the HTTP server listens on (0.0.0.0 for all)'),
  EVENTYARD_DATA_DIR: z
    .string()
    .trim()
    .min(1)
    .default('./data')
    .describe('Where the embedded engines keep their files'),
  EVENTYARD_BROKER: engineUrl(['embedded', 'nats', 'amqp', 'amqps', 'redis', 'rediss'])
    .default('')
    .describe(
      'Event log: empty for the embedded SQLite log; nats://, amqp(s):// or redis(s):// for a server broker (scale-out)',
    ),
  EVENTYARD_STORE: engineUrl(['sqlite', 'postgres', 'postgresql'])
    .default('')
    .describe(
      'App state: empty for embedded SQLite, the same file as the log; postgres:// with a server broker',
    ),
  EVENTYARD_OBJECTS: engineUrl(['s3', 'http', 'https'])
    .default('')
    .describe(
      'Object storage: empty for a folder under the data dir; s3://KEY:SECRET@host:port with a server broker',
    ),
  EVENTYARD_FSYNC: flag
    .default(false)
    .describe(
      'fsync every group commit of the embedded log and every object the embedded store writes (survives power loss, slower)',
    ),
  EVENTYARD_PARTITIONS: wholeNumber(1, 1024).default(8).describe('Partitions of a new topic'),
  EVENTYARD_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info')
    .describe('Log level of the JSON logs on stdout'),
  EVENTYARD_SHUTDOWN_TIMEOUT_MS: wholeNumber(0)
    .default(30_000)
    .describe('How long a graceful shutdown waits for running handlers'),
  EVENTYARD_PUBLIC_URL: z
    .string()
    .trim()
    .refine(
      (value) => value === '' || /^https?:\/\/[^/\s]+/.test(value),
      'must be empty or an http(s) URL',
    )
    .default('')
    .describe(
      'Base URL clients reach the HTTP API at, for links in records (empty: the address the server listens on)',
    ),
  EVENTYARD_S3_PORT: port
    .default(9000)
    .describe('Port of the S3 endpoint (the storage.s3 service), like MinIO'),
  EVENTYARD_S3_HOST: z
    .string()
    .trim()
    .default('')
    .describe('Interface the S3 endpoint listens on (empty: EVENTYARD_HOST)'),
  EVENTYARD_S3_ACCESS_KEY: z
    .string()
    .trim()
    .min(3)
    .default(DEV_S3_ACCESS_KEY)
    .describe('Access key of the S3 endpoint; the development default is refused off loopback'),
  EVENTYARD_S3_SECRET_KEY: z
    .string()
    .min(8, { error: 'must be at least 8 characters' })
    .default(DEV_S3_SECRET_KEY)
    .describe('Secret key of the S3 endpoint; the development default is refused off loopback'),
  EVENTYARD_LEASE_MS: wholeNumber(100)
    .default(10_000)
    .describe('Embedded log: how long a group lease lasts without renewal'),
});

export type Config = z.output<typeof configSchema>;
export type ConfigVariable = keyof Config;

function schemeOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return match ? match[1]!.toLowerCase() : '';
}

/** The scheme of an engine URL; '' when the value is empty (embedded). */
export function engineOf(url: string): string {
  return schemeOf(url);
}

/**
 * Reads and validates the configuration. Unknown EVENTYARD_ variables are
 * refused too: a misspelt name would otherwise be silently ignored.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env.EVENTYARD_CONFIG ? readConfigFile(env.EVENTYARD_CONFIG) : {};
  const merged: Record<string, unknown> = { ...file };
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('EVENTYARD_') && value !== undefined) merged[name] = value;
  }
  const parsed = parseSettings(configSchema, merged, {
    allowed: (name) =>
      name === 'EVENTYARD_CONFIG' ||
      IGNORED.includes(name) ||
      OTHER_PREFIXES.some((prefix) => name.startsWith(prefix)),
  });
  return { ...parsed, EVENTYARD_DATA_DIR: resolve(parsed.EVENTYARD_DATA_DIR) };
}

/** Variables of the test suite and the bench, which loadConfig lets pass. */
const IGNORED = ['EVENTYARD_REQUIRE_ENGINES', 'EVENTYARD_CRASH_ROUNDS'];
/** Prefixes of settings that belong to apps and are validated by them. */
const OTHER_PREFIXES = [
  'EVENTYARD_S3_',
  'EVENTYARD_JWT_',
  'EVENTYARD_MQTT_',
  'EVENTYARD_MEDIA_',
  'EVENTYARD_JOBS_',
  // Engine addresses of the test suite and the bench (README, Development).
  'EVENTYARD_TEST_',
  'EVENTYARD_BENCH_',
];

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`EVENTYARD_CONFIG: cannot read ${path}`, {
      path: 'EVENTYARD_CONFIG',
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`EVENTYARD_CONFIG: ${path} is not valid JSON`, {
      path: 'EVENTYARD_CONFIG',
      cause: error,
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`EVENTYARD_CONFIG: ${path} must hold a JSON object of variables`, {
      path: 'EVENTYARD_CONFIG',
    });
  }
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)]),
  );
}

/** Each variable with its description and default, for docs and `eventyard config`. */
export function describeConfig(): Array<{ name: string; description: string; default: unknown }> {
  return describeSettings(configSchema);
}

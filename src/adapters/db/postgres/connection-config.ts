/**
 * How the store connects: the URL as given (user, password, host, database,
 * TLS parameters as pg reads them), plus the schema its tables live in,
 * set as every connection's search_path so app queries and migrations stay
 * unqualified and several stores can share one database.
 */
import pg from 'pg';
import { ConfigError } from '../../../core/errors.ts';

const INT8_OID = 20;

/**
 * `bigint` columns come back as numbers, as they do from SQLite, so an app's
 * row types hold on both stores. Values beyond 2^53 stay strings rather
 * than lose digits. Per pool: pg's global parsers are left alone.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') {
      return (value: string) => {
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : value;
      };
    }
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Lower-case so unquoted SQL and search_path name the same schema. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface ConnectionSettings {
  /** For pg.Pool and pg.Client. */
  readonly config: pg.ClientConfig;
  /** The schema chosen, or undefined for the server's search_path. */
  readonly schema: string | undefined;
  /** host:port/database, without credentials, for error messages. */
  readonly address: string;
}

export function connectionSettings(
  url: string,
  options: { readonly schema?: string; readonly connectTimeoutMs?: number },
): ConnectionSettings {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError('the PostgreSQL store needs a postgres:// URL', { cause: error });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(`not a PostgreSQL URL: ${parsed.protocol}//${parsed.host}`);
  }
  const schema = options.schema ?? (parsed.searchParams.get('schema') || undefined);
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `schema '${schema}' must be lower-case letters, digits and _ (at most 63), not starting with a digit`,
      { path: 'schema' },
    );
  }
  const config: pg.ClientConfig = {
    connectionString: url,
    keepAlive: true,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    application_name: 'eventyard',
    types,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  };
  return { config, schema, address: `${parsed.host}${parsed.pathname}` };
}

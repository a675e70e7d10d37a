/**
 * The URL that names an S3 endpoint (EVENTYARD_OBJECTS), parsed into what
 * the SDK client needs. The URL names a server, never a bucket: buckets are
 * per call, as in the ObjectStore contract.
 *
 *     s3://ACCESS:SECRET@HOST[:PORT][?region=R&forcePathStyle=B&tls=B]
 *     http(s)://ACCESS:SECRET@HOST[:PORT][?region=R&forcePathStyle=B]
 *     s3://aws[?region=R]                 AWS's own endpoint for the region
 *
 * - `s3://` speaks HTTPS unless `tls=false`; `http://` and `https://` say it
 *   themselves (and take no `tls`).
 * - ACCESS and SECRET are percent-encoded (a `/` or `+` in a secret is
 *   `%2F`, `%2B`). Without them the SDK's default chain finds credentials:
 *   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then
 *   ~/.aws, container and instance roles.
 * - `region` defaults to AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1.
 * - `forcePathStyle` (`/bucket/key` instead of `bucket.host/key`) defaults
 *   to true for a named endpoint (MinIO, s3rver, Ceph, eventyard's own S3
 *   gateway) and false for AWS (`s3://aws`, `*.amazonaws.com`).
 *
 * Secrets never reach a message: errors and `display` show the URL with
 * the secret as `***`.
 */
import { ConfigError } from '../../../core/errors.ts';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface S3Connection {
  /** `http(s)://host:port`; undefined for AWS's own endpoint. */
  readonly endpoint?: string;
  readonly region: string;
  readonly forcePathStyle: boolean;
  /** From the URL; undefined: the SDK's default credential chain. */
  readonly credentials?: S3Credentials;
  /** The URL with its secret replaced by `***`, for logs and /health. */
  readonly display: string;
}

const DEFAULT_REGION = 'us-east-1';
const AWS_HOST = 'aws';
const OPTIONS = ['region', 'forcePathStyle', 'tls'] as const;
const REGION = /^[a-z0-9-]{1,64}$/;

export function parseS3Url(url: string, env: NodeJS.ProcessEnv = process.env): S3Connection {
  const parsed = urlOf(url);
  const display = redactS3Url(parsed);
  const fail: Fail = (parameter, why) => {
    throw new ConfigError(`invalid S3 URL ${display}: ${why}`, { path: 'url', parameter });
  };
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme !== 's3' && scheme !== 'http' && scheme !== 'https') {
    fail('scheme', 'the scheme must be s3, http or https');
  }
  if (parsed.pathname !== '' && parsed.pathname !== '/') {
    fail('path', 'it names a server, not a bucket: drop the path (buckets are chosen per call)');
  }
  if (parsed.hash !== '') fail('fragment', 'it must not have a #fragment');
  const query = queryOf(parsed, fail);
  if (query.tls !== undefined && scheme !== 's3') {
    fail('tls', `tls is implied by ${scheme}://; use it with s3:// only`);
  }
  const region = query.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION);
  if (!REGION.test(region)) fail('region', `region ${JSON.stringify(region)} is not a region name`);
  const onAws = scheme === 's3' && parsed.hostname === AWS_HOST;
  if (onAws && parsed.port !== '') fail('port', 's3://aws takes no port');
  const tls = scheme === 'https' || (scheme === 's3' && flagOf('tls', query.tls, true, fail));
  const endpoint = onAws ? undefined : `${tls ? 'https' : 'http'}://${parsed.host}`;
  const amazon = onAws || parsed.hostname.endsWith('.amazonaws.com');
  const forcePathStyle = flagOf('forcePathStyle', query.forcePathStyle, !amazon, fail);
  const credentials = credentialsOf(parsed, fail);
  return {
    ...(endpoint === undefined ? {} : { endpoint }),
    region,
    forcePathStyle,
    ...(credentials === undefined ? {} : { credentials }),
    display,
  };
}

/**
 * The URL with its secret as `***`; likewise any path, fragment and value
 * of a query parameter that is not an option, none of which a valid URL has
 * (a secret with an unencoded `/` or `#` spills into them, say).
 */
export function redactS3Url(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== '') copy.password = '***';
  if (copy.pathname !== '' && copy.pathname !== '/') copy.pathname = '/***';
  if (copy.hash !== '') copy.hash = '#***';
  for (const name of new Set(copy.searchParams.keys())) {
    if (!(OPTIONS as readonly string[]).includes(name)) copy.searchParams.set(name, '***');
  }
  return copy.href;
}

function urlOf(url: string): URL {
  try {
    return new URL(url);
  } catch (error) {
    // The text may hold a secret: it is not repeated.
    throw new ConfigError('invalid S3 URL: it is not a URL (s3://ACCESS:SECRET@HOST:PORT)', {
      path: 'url',
      cause: (error as Error).name,
    });
  }
}

type Query = Partial<Record<(typeof OPTIONS)[number], string>>;
/** Throws the URL's ConfigError, naming the parameter at fault (details.parameter). */
type Fail = (parameter: string, why: string) => never;

function queryOf(url: URL, fail: Fail): Query {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (!(OPTIONS as readonly string[]).includes(name)) {
      fail(name, `unknown option ${JSON.stringify(name)} (known: ${OPTIONS.join(', ')})`);
    }
    if (name in query) fail(name, `option ${name} is given twice`);
    query[name] = value;
  }
  return query;
}

function flagOf(name: string, value: string | undefined, fallback: boolean, fail: Fail): boolean {
  if (value === undefined) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(name, `${name} must be true or false, not ${JSON.stringify(value)}`);
}

function credentialsOf(url: URL, fail: Fail): S3Credentials | undefined {
  if (url.username === '' && url.password === '') return undefined;
  if (url.username === '' || url.password === '') {
    const missing = url.username === '' ? 'access key' : 'secret';
    return fail(missing, 'give both the access key and the secret (ACCESS:SECRET@), or neither');
  }
  const decode = (text: string, what: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return fail(what, `the ${what} is not valid percent-encoding`);
    }
  };
  return {
    accessKeyId: decode(url.username, 'access key'),
    secretAccessKey: decode(url.password, 'secret'),
  };
}

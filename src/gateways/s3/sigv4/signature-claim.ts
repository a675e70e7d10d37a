/**
 * What a request claims about its signature, read from the Authorization
 * header or, for presigned URLs, from the X-Amz-* query parameters. Parsing
 * only: `verifySignature` checks the claim.
 */
import { S3Error } from '../s3-error.ts';
import { ALGORITHM, type CredentialScope } from './signing.ts';

export interface SignatureClaim {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  readonly scope: CredentialScope;
  /** ISO 8601 basic format, `20130524T000000Z`. */
  readonly amzDate: string;
  /** Lower-case, in the order given (S3 requires them sorted). */
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** The payload hash the signature covers: hex SHA-256 or one of the literal modes. */
  readonly payloadHash: string;
  /** Seconds a presigned URL stays valid after `amzDate`. */
  readonly expiresSeconds?: number;
}

/** Where the claim is read from; header names lower-case. */
export interface ClaimSource {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: ReadonlyArray<[string, string]>;
}

const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const AMZ_DATE = /^\d{8}T\d{6}Z$/;
const SIGNATURE = /^[0-9a-fA-F]{64}$/;

/** The claim, or undefined for a request that carries no signature at all (anonymous). */
export function readSignatureClaim(source: ClaimSource): SignatureClaim | undefined {
  const authorization = header(source, 'authorization');
  if (authorization !== undefined) return fromAuthorizationHeader(authorization, source);
  if (source.query.some(([name]) => name === 'X-Amz-Algorithm')) return fromQuery(source);
  if (source.query.some(([name]) => name === 'AWSAccessKeyId' || name === 'Signature')) {
    throw malformed('Signature Version 2 is not supported; sign with Signature Version 4.');
  }
  return undefined;
}

function fromAuthorizationHeader(authorization: string, source: ClaimSource): SignatureClaim {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw malformed(
      algorithm === 'AWS'
        ? 'Signature Version 2 is not supported; sign with Signature Version 4.'
        : `The authorization mechanism ${JSON.stringify(algorithm)} is not supported; use ${ALGORITHM}.`,
    );
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) fields.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const credential = required(fields.get('Credential'), 'Credential');
  const payloadHash = header(source, 'x-amz-content-sha256');
  if (payloadHash === undefined) {
    throw new S3Error(
      'InvalidRequest',
      400,
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  return {
    form: 'header',
    ...parseCredential(credential),
    amzDate: amzDateOf(source),
    signedHeaders: parseSignedHeaders(required(fields.get('SignedHeaders'), 'SignedHeaders')),
    signature: parseSignature(required(fields.get('Signature'), 'Signature')),
    payloadHash,
  };
}

function fromQuery(source: ClaimSource): SignatureClaim {
  const get = (name: string) => source.query.find(([n]) => n === name)?.[1];
  const algorithm = get('X-Amz-Algorithm');
  if (algorithm !== ALGORITHM) {
    throw malformedQuery(`X-Amz-Algorithm must be ${ALGORITHM}.`);
  }
  const amzDate = requiredQuery(get('X-Amz-Date'), 'X-Amz-Date');
  if (!AMZ_DATE.test(amzDate)) throw malformedQuery('X-Amz-Date must be YYYYMMDDTHHMMSSZ.');
  const expires = Number(requiredQuery(get('X-Amz-Expires'), 'X-Amz-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
    throw malformedQuery(
      `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_SECONDS}.`,
    );
  }
  return {
    form: 'query',
    ...parseCredential(requiredQuery(get('X-Amz-Credential'), 'X-Amz-Credential')),
    amzDate,
    signedHeaders: parseSignedHeaders(
      requiredQuery(get('X-Amz-SignedHeaders'), 'X-Amz-SignedHeaders'),
    ),
    signature: parseSignature(requiredQuery(get('X-Amz-Signature'), 'X-Amz-Signature')),
    // Presigned URLs sign no body unless they name its hash themselves.
    payloadHash: get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    expiresSeconds: expires,
  };
}

function parseCredential(credential: string): {
  accessKeyId: string;
  scope: CredentialScope;
} {
  // The access key may itself contain '/', so the scope is taken from the end.
  const parts = credential.split('/');
  if (parts.length < 5 || parts.at(-1) !== 'aws4_request') {
    throw malformed(
      'The Credential is malformed; expected "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  const [date, region, service] = parts.slice(-4, -1) as [string, string, string];
  if (!/^\d{8}$/.test(date)) throw malformed('The Credential date must be YYYYMMDD.');
  return { accessKeyId: parts.slice(0, -4).join('/'), scope: { date, region, service } };
}

function parseSignedHeaders(list: string): string[] {
  const names = list.split(';').map((name) => name.trim().toLowerCase());
  if (names.some((name) => name === '')) throw malformed('SignedHeaders is malformed.');
  return names;
}

function parseSignature(signature: string): string {
  if (!SIGNATURE.test(signature)) throw malformed('The Signature must be 64 hex digits.');
  return signature.toLowerCase();
}

/** X-Amz-Date, or the Date header turned into the same format. */
function amzDateOf(source: ClaimSource): string {
  const amzDate = header(source, 'x-amz-date');
  if (amzDate !== undefined) {
    if (!AMZ_DATE.test(amzDate)) throw malformed('x-amz-date must be YYYYMMDDTHHMMSSZ.');
    return amzDate;
  }
  const date = header(source, 'date');
  const parsed = date === undefined ? Number.NaN : Date.parse(date);
  if (Number.isNaN(parsed)) {
    throw new S3Error(
      'AccessDenied',
      403,
      'AWS authentication requires a valid Date or x-amz-date header',
    );
  }
  return new Date(parsed)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function header(source: ClaimSource, name: string): string | undefined {
  const value = source.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') {
    throw malformed(`The authorization header is malformed; it lacks ${name}.`);
  }
  return value;
}

function requiredQuery(value: string | undefined, name: string): string {
  if (value === undefined || value === '') {
    throw malformedQuery(`Query-string authentication requires ${name}.`);
  }
  return value;
}

function malformed(message: string): S3Error {
  return new S3Error('AuthorizationHeaderMalformed', 400, message);
}

function malformedQuery(message: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', 400, message);
}

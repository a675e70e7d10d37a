/**
 * Checks a SigV4 claim against the configured keys: known access key, a
 * scope for this service (and region, when one is configured), a time
 * within the allowed skew or the presigned URL's lifetime, and the
 * signature recomputed from the request as it arrived (compared in
 * constant time). The result carries the signing key, which aws-chunked
 * bodies need to verify their chunk signatures.
 */
import { S3Error } from '../s3-error.ts';
import { canonicalRequest, canonicalUri } from './canonical-request.ts';
import type { SignatureClaim } from './signature-claim.ts';
import { type CredentialScope, hmac, sameSignature, signingKey, stringToSign } from './signing.ts';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface VerifiedSignature {
  readonly accessKeyId: string;
  readonly scope: CredentialScope;
  readonly amzDate: string;
  readonly signingKey: Buffer;
  /** The request's signature: the seed of a signed aws-chunked body. */
  readonly signature: string;
  readonly payloadHash: string;
}

/** The request as the signature covers it. */
export interface SignedRequest {
  readonly method: string;
  /** Path as sent, before decoding. */
  readonly rawPath: string;
  readonly query: ReadonlyArray<[string, string]>;
  readonly rawHeaders: readonly string[];
}

export interface VerifyOptions {
  /** Secret access key by access key id. */
  readonly secrets: ReadonlyMap<string, string>;
  /** When set, the credential scope must name this region; otherwise any region is accepted. */
  readonly region?: string;
  readonly now: Date;
  /** Largest difference between the request's time and ours; default 15 minutes (S3's). */
  readonly maxSkewMs?: number;
}

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

export function verifySignature(
  claim: SignatureClaim,
  request: SignedRequest,
  options: VerifyOptions,
): VerifiedSignature {
  const secret = options.secrets.get(claim.accessKeyId);
  if (secret === undefined) {
    throw new S3Error(
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
      { AWSAccessKeyId: claim.accessKeyId },
    );
  }
  checkScope(claim, options.region);
  checkTime(claim, options.now, options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS);

  const key = signingKey(secret, claim.scope);
  checkSignature(claim, request, key);
  return {
    accessKeyId: claim.accessKeyId,
    scope: claim.scope,
    amzDate: claim.amzDate,
    signingKey: key,
    signature: claim.signature,
    payloadHash: claim.payloadHash,
  };
}

/**
 * Recomputes the signature over the request as it arrived. A client that
 * signs the path exactly as it sent it (MinIO checks it that way) matches
 * too when it escaped more than RFC 3986 asks (`%2E`): both forms of the
 * path decode to the same key.
 */
function checkSignature(claim: SignatureClaim, request: SignedRequest, key: Buffer): void {
  const canonicalOf = (path: string) =>
    canonicalRequest({
      method: request.method,
      path,
      query: request.query,
      excludeFromQuery: claim.form === 'query' ? 'X-Amz-Signature' : undefined,
      rawHeaders: request.rawHeaders,
      signedHeaders: claim.signedHeaders,
      payloadHash: claim.payloadHash,
    });
  const signs = (canonical: string) =>
    sameSignature(
      hmac(key, stringToSign(claim.amzDate, claim.scope, canonical)).toString('hex'),
      claim.signature,
    );
  const canonical = canonicalOf(canonicalUri(request.rawPath));
  const asSent = canonicalOf(request.rawPath);
  if (signs(canonical) || (asSent !== canonical && signs(asSent))) return;
  throw new S3Error(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    // S3 returns both so a client author can see where the forms differ; neither holds a secret.
    {
      AWSAccessKeyId: claim.accessKeyId,
      StringToSign: stringToSign(claim.amzDate, claim.scope, canonical),
      CanonicalRequest: canonical,
    },
  );
}

function checkScope(claim: SignatureClaim, region: string | undefined): void {
  const malformed = (message: string) =>
    new S3Error(
      claim.form === 'query' ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed',
      400,
      message,
    );
  if (claim.scope.service !== 's3') {
    throw malformed(`The credential scope names service ${claim.scope.service}; expected s3.`);
  }
  if (region !== undefined && claim.scope.region !== region) {
    throw malformed(
      `The authorization header is malformed; the region '${claim.scope.region}' is wrong; expecting '${region}'`,
    );
  }
  if (claim.scope.date !== claim.amzDate.slice(0, 8)) {
    throw malformed('The credential date does not match the date of the request.');
  }
  if (!claim.signedHeaders.includes('host')) {
    throw malformed('The host header must be signed.');
  }
}

function checkTime(claim: SignatureClaim, now: Date, maxSkewMs: number): void {
  const signedAt = parseAmzDate(claim.amzDate);
  if (claim.form === 'query') {
    if (signedAt - now.getTime() > maxSkewMs) {
      throw new S3Error('AccessDenied', 403, 'Request is not valid yet');
    }
    const expiresAt = signedAt + (claim.expiresSeconds ?? 0) * 1000;
    if (now.getTime() > expiresAt) {
      throw new S3Error('AccessDenied', 403, 'Request has expired', {
        'X-Amz-Expires': String(claim.expiresSeconds),
        Expires: new Date(expiresAt).toISOString(),
        ServerTime: now.toISOString(),
      });
    }
    return;
  }
  if (Math.abs(signedAt - now.getTime()) > maxSkewMs) {
    throw new S3Error(
      'RequestTimeTooSkewed',
      403,
      'The difference between the request time and the current time is too large.',
      { RequestTime: claim.amzDate, ServerTime: now.toISOString() },
    );
  }
}

/** `20130524T000000Z` as epoch milliseconds. */
export function parseAmzDate(amzDate: string): number {
  const iso = `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw new S3Error('AccessDenied', 403, 'The request date is invalid.');
  return time;
}

/**
 * Authenticates an S3 request with AWS Signature Version 4, header or query
 * (presigned) form. Every request must be signed: the endpoint has no
 * anonymous access.
 */
import type { IncomingMessage } from 'node:http';
import { type PayloadMode, payloadModeOf } from './payload/payload-mode.ts';
import type { S3Address } from './s3-address.ts';
import { S3Error } from './s3-error.ts';
import { readSignatureClaim } from './sigv4/signature-claim.ts';
import {
  type S3Credentials,
  type VerifiedSignature,
  verifySignature,
} from './sigv4/verify-signature.ts';

export interface AuthenticatorOptions {
  readonly credentials: readonly S3Credentials[];
  /** When set, signatures must be scoped to this region. */
  readonly region?: string;
  readonly now?: () => Date;
  /** Default 15 minutes. */
  readonly maxSkewMs?: number;
}

export interface Authenticated {
  readonly signature: VerifiedSignature;
  readonly payload: PayloadMode;
  readonly presigned: boolean;
}

export type Authenticator = (
  request: IncomingMessage,
  address: S3Address,
  query: ReadonlyArray<[string, string]>,
) => Authenticated;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const secrets = new Map(
    options.credentials.map((credential) => [credential.accessKeyId, credential.secretAccessKey]),
  );
  const now = options.now ?? (() => new Date());
  return (request, address, query) => {
    const claim = readSignatureClaim({ headers: request.headers, query });
    if (claim === undefined) {
      throw new S3Error(
        'AccessDenied',
        403,
        'Access Denied. Every request must be signed (AWS Signature Version 4).',
      );
    }
    // The mode is checked before the signature so a value S3 refuses is refused here too.
    const payload = payloadModeOf(claim.payloadHash);
    const signature = verifySignature(
      claim,
      {
        method: request.method ?? 'GET',
        rawPath: address.rawPath,
        query,
        rawHeaders: request.rawHeaders,
      },
      { secrets, region: options.region, now: now(), maxSkewMs: options.maxSkewMs },
    );
    return { signature, payload, presigned: claim.form === 'query' };
  };
}

/**
 * The cryptographic steps of AWS Signature Version 4 (HMAC-SHA256), shared
 * by request verification and the per-chunk signatures of aws-chunked
 * bodies. Pure functions over node:crypto.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** `<date>/<region>/<service>/aws4_request`, the credential scope. */
export interface CredentialScope {
  /** YYYYMMDD. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

export function scopeString(scope: CredentialScope): string {
  return `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secretAccessKey: string, scope: CredentialScope): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, scope.date);
  const regionKey = hmac(dateKey, scope.region);
  const serviceKey = hmac(regionKey, scope.service);
  return hmac(serviceKey, 'aws4_request');
}

export function stringToSign(amzDate: string, scope: CredentialScope, canonical: string): string {
  return [ALGORITHM, amzDate, scopeString(scope), sha256Hex(canonical)].join('\n');
}

/** The string a chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body is signed over. */
export function chunkStringToSign(
  amzDate: string,
  scope: CredentialScope,
  previousSignature: string,
  chunkSha256Hex: string,
): string {
  return [
    'AWS4-HMAC-SHA256-PAYLOAD',
    amzDate,
    scopeString(scope),
    previousSignature,
    EMPTY_SHA256,
    chunkSha256Hex,
  ].join('\n');
}

/** The string the trailing headers of a signed aws-chunked body are signed over. */
export function trailerStringToSign(
  amzDate: string,
  scope: CredentialScope,
  previousSignature: string,
  canonicalTrailer: string,
): string {
  return [
    'AWS4-HMAC-SHA256-TRAILER',
    amzDate,
    scopeString(scope),
    previousSignature,
    sha256Hex(canonicalTrailer),
  ].join('\n');
}

/** Compares two hex signatures in time independent of where they differ. */
export function sameSignature(expectedHex: string, givenHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'utf8');
  const given = Buffer.from(givenHex.toLowerCase(), 'utf8');
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time flat.
  if (expected.length !== given.length) return !timingSafeEqual(expected, expected);
  return timingSafeEqual(expected, given);
}

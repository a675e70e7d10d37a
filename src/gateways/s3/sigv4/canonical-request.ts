/**
 * The canonical request of AWS Signature Version 4, as S3 builds it from what
 * arrived on the wire:
 *
 *   METHOD \n canonical URI \n canonical query \n canonical headers \n
 *   \n signed header names \n payload hash
 *
 * S3's rules differ from other services in one place: the path is encoded
 * once, not twice. Each path segment is decoded once and re-encoded with the
 * strict RFC 3986 set, so a client that sent `(` raw and one that sent `%28`
 * both match the canonical form they signed.
 */
import { S3Error } from '../s3-error.ts';

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 percent-encoding of the UTF-8 bytes, upper-case hex; `/` kept unless `encodeSlash`. */
export function uriEncode(text: string, encodeSlash = true): string {
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char) || (char === '/' && !encodeSlash)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** decodeURIComponent, with a malformed escape reported as S3 does. */
export function uriDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    throw new S3Error('InvalidURI', 400, "Couldn't parse the specified URI.", {}, error);
  }
}

/** The canonical URI of a raw request path (as sent, before any decoding). */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '' || rawPath === '/') return '/';
  return rawPath
    .split('/')
    .map((segment) => uriEncode(uriDecode(segment)))
    .join('/');
}

/** The query's name/value pairs, decoded once (`+` is a space, as form encoding has it). */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    const name = equals < 0 ? piece : piece.slice(0, equals);
    const value = equals < 0 ? '' : piece.slice(equals + 1);
    pairs.push([uriDecode(name.replace(/\+/g, ' ')), uriDecode(value.replace(/\+/g, ' '))]);
  }
  return pairs;
}

/** Pairs encoded and sorted by name, then value; `exclude` drops a parameter (X-Amz-Signature). */
export function canonicalQuery(pairs: ReadonlyArray<[string, string]>, exclude?: string): string {
  return pairs
    .filter(([name]) => name !== exclude)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/**
 * `name:value\n` for each signed header, from node's `rawHeaders` (so
 * repeated headers keep their order): values trimmed, runs of spaces
 * collapsed, repeats joined with commas.
 */
export function canonicalHeaders(
  rawHeaders: readonly string[],
  signedHeaders: readonly string[],
): string {
  const values = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = values.get(name) ?? [];
    list.push(rawHeaders[i + 1]!.trim().replace(/\s+/g, ' '));
    values.set(name, list);
  }
  return signedHeaders.map((name) => `${name}:${(values.get(name) ?? []).join(',')}\n`).join('');
}

export interface CanonicalRequestInput {
  readonly method: string;
  /** The canonical URI (`canonicalUri` of the path as sent). */
  readonly path: string;
  readonly query: ReadonlyArray<[string, string]>;
  /** Left out of the canonical query: X-Amz-Signature of a presigned URL. */
  readonly excludeFromQuery?: string;
  readonly rawHeaders: readonly string[];
  /** Lower-case names, sorted, as in SignedHeaders. */
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
}

export function canonicalRequest(input: CanonicalRequestInput): string {
  return [
    input.method,
    input.path,
    canonicalQuery(input.query, input.excludeFromQuery),
    canonicalHeaders(input.rawHeaders, input.signedHeaders),
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n');
}

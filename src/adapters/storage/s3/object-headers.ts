/**
 * What a put carries besides its body, checked before a byte is sent, and
 * turned into the headers S3 stores: Content-Type, x-amz-meta-*,
 * Content-Length, Content-MD5. The rules are core's (object-input.ts),
 * shared with the embedded store, plus S3's ASCII-only content type.
 *
 * HTTP headers carry only Latin-1, so a metadata value with other
 * characters (or one that looks like an encoded word itself) is stored as an
 * RFC 2047 encoded word, `=?UTF-8?B?<base64>?=`, which S3 itself uses for
 * such values; reading decodes it, so values round-trip exactly.
 */
import { invalidPut, type PutAttributes, putAttributesOf } from '../../../core/object-input.ts';
import type { PutObjectInput } from '../../../core/object-store.ts';

// Visible ASCII and spaces: what a header value carries as is.
const PLAIN_VALUE = /^[\u0020-\u007e]*$/;
const ENCODED_WORD = /^=\?UTF-8\?B\?([A-Za-z0-9+/]*={0,2})\?=$/i;

export interface PutHeaders extends PutAttributes {
  /** The user metadata, values encoded for the wire. */
  readonly wireMetadata: Readonly<Record<string, string>>;
}

/** The core's rules for a put, plus S3's own: a content type is visible ASCII. */
export function putHeadersOf(input: PutObjectInput, maxObjectBytes: number): PutHeaders {
  const attributes = putAttributesOf(input, maxObjectBytes);
  if (!PLAIN_VALUE.test(attributes.contentType)) {
    throw invalidPut(
      'contentType',
      `invalid content type ${JSON.stringify(attributes.contentType)} (S3 takes visible ASCII only)`,
    );
  }
  const wireMetadata = Object.fromEntries(
    Object.entries(attributes.userMetadata).map(([name, value]) => [
      name,
      encodeMetadataValue(value),
    ]),
  );
  return { ...attributes, wireMetadata };
}

/** User metadata as S3 returns it (names lowercased by HTTP), values decoded. */
export function userMetadataFromWire(
  metadata: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    out[name.toLowerCase()] = decodeMetadataValue(value);
  }
  return out;
}

export function encodeMetadataValue(value: string): string {
  if (PLAIN_VALUE.test(value) && !value.startsWith('=?')) return value;
  return `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

export function decodeMetadataValue(value: string): string {
  const word = ENCODED_WORD.exec(value);
  return word ? Buffer.from(word[1]!, 'base64').toString('utf8') : value;
}

/**
 * What a put carries besides its body, checked before a byte is sent, and
 * turned into the headers S3 stores: Content-Type, x-amz-meta-*,
 * Content-Length, Content-MD5. The rules are the ones the embedded store
 * applies (S3's), so a put refused by one is refused by the other.
 *
 * HTTP headers carry only Latin-1, so a metadata value with other
 * characters (or one that looks like an encoded word itself) is stored as an
 * RFC 2047 encoded word, `=?UTF-8?B?<base64>?=`, which S3 itself uses for
 * such values; reading decodes it, so values round-trip exactly.
 */
import { ValidationError } from '../../../core/errors.ts';
import type { PutObjectInput } from '../../../core/object-store.ts';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** S3's limit on user metadata: names and values, UTF-8 bytes. */
export const MAX_USER_METADATA_BYTES = 2048;
const MAX_CONTENT_TYPE_LENGTH = 1024;

// An HTTP token (RFC 9110): a metadata name becomes the header x-amz-meta-<name>.
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
// Visible ASCII and spaces: what a header value carries as is.
const PLAIN_VALUE = /^[\u0020-\u007e]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: header values must not carry them
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const ENCODED_WORD = /^=\?UTF-8\?B\?([A-Za-z0-9+/]*={0,2})\?=$/i;

export interface PutHeaders {
  readonly contentType: string;
  /** Names lowercase, values as given (what `head` returns). */
  readonly userMetadata: Readonly<Record<string, string>>;
  /** The same, values encoded for the wire. */
  readonly wireMetadata: Readonly<Record<string, string>>;
  readonly contentLength?: number;
  /** The expected MD5: base64 as sent, and its bytes. */
  readonly contentMd5?: { readonly base64: string; readonly digest: Buffer };
}

export function putHeadersOf(input: PutObjectInput, maxObjectBytes: number): PutHeaders {
  const contentLength = lengthOf(input.contentLength, maxObjectBytes);
  const contentMd5 = input.contentMd5 === undefined ? undefined : md5Of(input.contentMd5);
  const userMetadata = userMetadataOf(input.userMetadata);
  const wireMetadata = Object.fromEntries(
    Object.entries(userMetadata).map(([name, value]) => [name, encodeMetadataValue(value)]),
  );
  return {
    contentType: contentTypeOf(input.contentType),
    userMetadata,
    wireMetadata,
    ...(contentLength === undefined ? {} : { contentLength }),
    ...(contentMd5 === undefined ? {} : { contentMd5 }),
  };
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

export function tooLarge(maxObjectBytes: number): ValidationError {
  return new ValidationError(`the object is larger than the ${maxObjectBytes} bytes allowed`, {
    path: 'body',
    code: 'EntityTooLarge',
    limit: maxObjectBytes,
  });
}

export function incompleteBody(message: string): ValidationError {
  return new ValidationError(message, { path: 'contentLength', code: 'IncompleteBody' });
}

export function badDigest(): ValidationError {
  return new ValidationError('the body does not match its Content-MD5', {
    path: 'contentMd5',
    code: 'BadDigest',
  });
}

function invalid(path: string, message: string, code = 'InvalidArgument'): ValidationError {
  return new ValidationError(message, { path, code });
}

function contentTypeOf(value: unknown): string {
  if (value === undefined || value === '') return DEFAULT_CONTENT_TYPE;
  if (
    typeof value !== 'string' ||
    value.length > MAX_CONTENT_TYPE_LENGTH ||
    !PLAIN_VALUE.test(value)
  ) {
    throw invalid(
      'contentType',
      `invalid content type ${JSON.stringify(value)} (S3 takes visible ASCII only)`,
    );
  }
  return value;
}

function userMetadataOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('userMetadata', 'user metadata must be an object of strings');
  }
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [rawName, entry] of Object.entries(value)) {
    const name = rawName.toLowerCase();
    if (!HEADER_NAME.test(name)) {
      const why = `invalid user metadata name ${JSON.stringify(rawName)}`;
      throw invalid(`userMetadata.${rawName}`, why);
    }
    if (typeof entry !== 'string' || CONTROL.test(entry) || LONE_SURROGATE.test(entry)) {
      const why = `user metadata ${rawName} must be a header-safe string`;
      throw invalid(`userMetadata.${rawName}`, why);
    }
    out[name] = entry;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(entry);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw invalid(
      'userMetadata',
      `user metadata is ${bytes} bytes, more than the ${MAX_USER_METADATA_BYTES} allowed`,
      'MetadataTooLarge',
    );
  }
  return out;
}

function lengthOf(value: unknown, maxObjectBytes: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid('contentLength', `invalid content length ${JSON.stringify(value)}`);
  }
  if (value > maxObjectBytes) throw tooLarge(maxObjectBytes);
  return value;
}

/** Content-MD5 is the base64 of the 16-byte digest; anything else is S3's InvalidDigest. */
function md5Of(value: unknown): { base64: string; digest: Buffer } {
  const digest = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (digest.length !== 16 || digest.toString('base64') !== value) {
    throw invalid('contentMd5', `invalid Content-MD5 ${JSON.stringify(value)}`, 'InvalidDigest');
  }
  return { base64: value, digest };
}

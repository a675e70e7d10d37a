/**
 * What a put carries besides its body, validated by every object store
 * before a byte is written, so a put refused by one store is refused by the
 * others: content type, user metadata (S3's rules: names are
 * case-insensitive header names, at most 2 KB in all), the expected length
 * and the expected MD5. And the errors a body itself can earn.
 */
import { ValidationError } from './errors.ts';
import type { PutObjectInput } from './object-store.ts';

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';
/** S3's limit on user metadata: names and values, UTF-8 bytes. */
export const MAX_USER_METADATA_BYTES = 2048;
const MAX_CONTENT_TYPE_LENGTH = 1024;

// An HTTP token (RFC 9110), as a metadata name becomes the header x-amz-meta-<name>.
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: header values must not carry them
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface PutAttributes {
  readonly contentType: string;
  /** Names lowercase, values as given. */
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly contentLength?: number;
  /** The expected MD5: base64 as given, and its bytes. */
  readonly contentMd5?: { readonly base64: string; readonly digest: Buffer };
}

export function putAttributesOf(input: PutObjectInput, maxObjectBytes: number): PutAttributes {
  const contentLength = lengthOf(input.contentLength, maxObjectBytes);
  const contentMd5 = input.contentMd5 === undefined ? undefined : md5Of(input.contentMd5);
  return {
    contentType: contentTypeOf(input.contentType),
    userMetadata: userMetadataOf(input.userMetadata),
    ...(contentLength === undefined ? {} : { contentLength }),
    ...(contentMd5 === undefined ? {} : { contentMd5 }),
  };
}

export function objectTooLarge(maxObjectBytes: number): ValidationError {
  return new ValidationError(`the object is larger than the ${maxObjectBytes} bytes allowed`, {
    path: 'body',
    code: 'EntityTooLarge',
    limit: maxObjectBytes,
  });
}

/** The body is shorter or longer than its declared length. */
export function incompleteBody(message: string): ValidationError {
  return new ValidationError(message, { path: 'contentLength', code: 'IncompleteBody' });
}

export function badDigest(): ValidationError {
  return new ValidationError('the body does not match its Content-MD5', {
    path: 'contentMd5',
    code: 'BadDigest',
  });
}

export function invalidPut(
  path: string,
  message: string,
  code = 'InvalidArgument',
): ValidationError {
  return new ValidationError(message, { path, code });
}

function contentTypeOf(value: unknown): string {
  if (value === undefined || value === '') return DEFAULT_CONTENT_TYPE;
  if (typeof value !== 'string' || value.length > MAX_CONTENT_TYPE_LENGTH || CONTROL.test(value)) {
    throw invalidPut('contentType', `invalid content type ${JSON.stringify(value)}`);
  }
  return value;
}

function userMetadataOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidPut('userMetadata', 'user metadata must be an object of strings');
  }
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [rawName, entry] of Object.entries(value)) {
    const name = rawName.toLowerCase();
    if (!HEADER_NAME.test(name)) {
      const why = `invalid user metadata name ${JSON.stringify(rawName)}`;
      throw invalidPut(`userMetadata.${rawName}`, why);
    }
    if (typeof entry !== 'string' || CONTROL.test(entry) || LONE_SURROGATE.test(entry)) {
      const why = `user metadata ${rawName} must be a header-safe string`;
      throw invalidPut(`userMetadata.${rawName}`, why);
    }
    out[name] = entry;
    bytes += Buffer.byteLength(name) + Buffer.byteLength(entry);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw invalidPut(
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
    throw invalidPut('contentLength', `invalid content length ${JSON.stringify(value)}`);
  }
  if (value > maxObjectBytes) throw objectTooLarge(maxObjectBytes);
  return value;
}

/** Content-MD5 is the base64 of the 16-byte digest; anything else is S3's InvalidDigest. */
function md5Of(value: unknown): { base64: string; digest: Buffer } {
  const digest = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (digest.length !== 16 || digest.toString('base64') !== value) {
    throw invalidPut('contentMd5', `invalid Content-MD5 ${JSON.stringify(value)}`, 'InvalidDigest');
  }
  return { base64: value as string, digest };
}

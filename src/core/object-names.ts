/**
 * Bucket names and object keys, validated where they enter (S3 endpoint,
 * upload routes, the stores themselves). The rules are S3's, plus what keeps
 * a key safe to map onto a file system: no `.`/`..` segments, no leading
 * slash, no control characters.
 */
import { ValidationError } from './errors.ts';

export const MAX_KEY_BYTES = 1024;

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is about control characters
const CONTROL = /[\u0000-\u001f\u007f]/;
/** A surrogate without its pair has no UTF-8 form: the key would be stored as another. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function validateBucketName(name: unknown): string {
  if (
    typeof name !== 'string' ||
    !BUCKET.test(name) ||
    name.includes('..') ||
    name.includes('.-') ||
    name.includes('-.') ||
    IP_ADDRESS.test(name)
  ) {
    throw new ValidationError(
      `invalid bucket name ${JSON.stringify(name)}: 3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit`,
      { path: 'bucket', code: 'InvalidBucketName' },
    );
  }
  return name;
}

export function validateObjectKey(key: unknown): string {
  const fail = (why: string): never => {
    throw new ValidationError(`invalid object key ${JSON.stringify(key)}: ${why}`, {
      path: 'key',
      code: 'InvalidObjectName',
    });
  };
  if (typeof key !== 'string' || key.length === 0) return fail('it must be a non-empty string');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES)
    return fail(`it is longer than ${MAX_KEY_BYTES} bytes`);
  if (CONTROL.test(key)) return fail('it contains control characters');
  if (LONE_SURROGATE.test(key)) return fail('it is not valid Unicode (a lone surrogate)');
  if (key.startsWith('/')) return fail('it must not start with /');
  if (key.includes('\\')) return fail('it must not contain backslashes');
  for (const segment of key.split('/')) {
    if (segment === '.' || segment === '..')
      return fail("it must not contain '.' or '..' segments");
  }
  return key;
}

/**
 * ListObjects over the catalog, with S3's semantics: keys in UTF-8 byte
 * order, a prefix, a start after a key, a page limit, and a delimiter that
 * rolls the keys sharing a prefix up to the delimiter into one common
 * prefix. A common prefix counts toward the limit like a key. `next` is the
 * last key the page covers (for a common prefix: the greatest key under
 * it), so "keys strictly after `next`" is exactly the rest of the listing.
 */
import { ValidationError } from '../../../core/errors.ts';
import type { ListObjectsOptions, ObjectInfo, ObjectListing } from '../../../core/object-store.ts';
import { type ObjectCatalog, objectInfoOf } from './object-catalog.ts';

export const MAX_LIST_LIMIT = 1000;

export function listObjects(
  catalog: ObjectCatalog,
  bucket: string,
  options: ListObjectsOptions = {},
): ObjectListing {
  const { prefix, after, delimiter, limit } = listOptionsOf(options);
  const below = prefix === '' ? undefined : keySuccessor(prefix);
  const items: ObjectInfo[] = [];
  const commonPrefixes: string[] = [];
  let cursor = after;
  for (;;) {
    const wanted = limit - items.length - commonPrefixes.length + 1;
    const from = compareUtf8(cursor, prefix) >= 0 ? cursor : prefix;
    let seen = 0;
    let rolledUp: { common: string; key: string } | undefined;
    for (const row of catalog.rows(bucket, { from, except: cursor, below, limit: wanted })) {
      seen++;
      if (items.length + commonPrefixes.length === limit) {
        return { items, commonPrefixes, next: cursor };
      }
      const common = delimiter === '' ? undefined : commonPrefixOf(row.key, prefix, delimiter);
      if (common !== undefined) {
        rolledUp = { common, key: row.key };
        break;
      }
      items.push(objectInfoOf(row));
      cursor = row.key;
    }
    if (rolledUp === undefined) {
      // Fewer rows than asked for: the listing is complete.
      if (seen < wanted) return { items, commonPrefixes };
      continue;
    }
    commonPrefixes.push(rolledUp.common);
    cursor =
      catalog.lastKey(bucket, rolledUp.common, keySuccessor(rolledUp.common)) ?? rolledUp.key;
  }
}

function listOptionsOf(options: ListObjectsOptions): Required<ListObjectsOptions> {
  const text = (name: keyof ListObjectsOptions): string => {
    const value = options[name] ?? '';
    if (typeof value !== 'string') {
      throw new ValidationError(`list option ${name} must be a string`, {
        path: name,
        code: 'InvalidArgument',
      });
    }
    return value;
  };
  const limit = options.limit ?? MAX_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ValidationError(`list limit must be a whole number from 1, not ${limit}`, {
      path: 'limit',
      code: 'InvalidArgument',
    });
  }
  return {
    prefix: text('prefix'),
    after: text('after'),
    delimiter: text('delimiter'),
    limit: Math.min(limit, MAX_LIST_LIMIT),
  };
}

/** The key's common prefix (prefix + part up to and with the delimiter), if it has one. */
function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/** Orders strings as S3 does: by their UTF-8 bytes (which is code point order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The least string greater than every string starting with `prefix`
 * (undefined when there is none: a prefix of only U+10FFFF). Code point
 * order is UTF-8 byte order, so it bounds a prefix scan in SQLite.
 */
export function keySuccessor(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0)!);
  while (points.length > 0) {
    let last = points.pop()! + 1;
    if (last === 0xd800) last = 0xe000; // surrogates are not characters
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return undefined;
}

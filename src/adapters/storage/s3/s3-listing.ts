/**
 * The contract's listing over ListObjects (version 1): `prefix`, `after`
 * (Marker), `limit` (MaxKeys, at most 1000) and `delimiter` map one to one.
 * Version 1 rather than ListObjectsV2 because `next` is a key bound (see
 * below), so V2's continuation token adds nothing; and some servers fail V2
 * pages that are truncated (s3rver 3.7 makes the continuation token with
 * DES, which OpenSSL 3 no longer offers: HTTP 500). Marker and StartAfter
 * mean the same on AWS, MinIO and Ceph.
 *
 * `next` is a key bound, not S3's opaque continuation token, so it means the
 * same on every store ("keys strictly after it are the rest"). When a page
 * ends with a key, `next` is that key. When it ends with a common prefix P,
 * `next` is P followed by U+10FFFF up to past S3's 1024-byte key limit: it
 * sorts after every key under P (U+10FFFF is the greatest character, and no
 * key is that long) and before every key after them, so the next page
 * starts past the prefix instead of rolling it up again.
 *
 * A common prefix counts toward the limit, as in S3. Some S3-compatible
 * servers count only keys and return more common prefixes; the entries are
 * merged in key order and cut at the limit, so a page never holds more.
 *
 * Two repairs that are no-ops on S3 itself: the page is put in UTF-8 byte
 * order (s3rver 3.7 lists in the order of its folder walk, so `a/b` comes
 * before `a-b`), and a common prefix that does not end with the delimiter
 * is completed (s3rver 3.7 cuts it one character after the delimiter
 * starts, wrong for a delimiter longer than one character).
 *
 * ListObjects does not return an object's content type or user metadata:
 * listed items have `contentType` '' and `userMetadata` {} (head has them).
 */
import type { ListObjectsCommandOutput } from '@aws-sdk/client-s3';
import { ValidationError } from '../../../core/errors.ts';
import { MAX_KEY_BYTES } from '../../../core/object-names.ts';
import type { ListObjectsOptions, ObjectInfo, ObjectListing } from '../../../core/object-store.ts';

export const MAX_LIST_LIMIT = 1000;
const GREATEST_CHARACTER = '\u{10ffff}';

export interface ListRequest {
  readonly prefix?: string;
  readonly after?: string;
  readonly delimiter?: string;
  readonly limit: number;
}

export function listRequestOf(options: ListObjectsOptions = {}): ListRequest {
  const text = (name: 'prefix' | 'after' | 'delimiter'): string | undefined => {
    const value = options[name];
    if (value !== undefined && typeof value !== 'string') {
      throw new ValidationError(`list option ${name} must be a string`, {
        path: name,
        code: 'InvalidArgument',
      });
    }
    return value === '' ? undefined : value;
  };
  const limit = options.limit ?? MAX_LIST_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ValidationError(`list limit must be a whole number from 1, not ${limit}`, {
      path: 'limit',
      code: 'InvalidArgument',
    });
  }
  const prefix = text('prefix');
  const after = text('after');
  const delimiter = text('delimiter');
  return {
    ...(prefix === undefined ? {} : { prefix }),
    ...(after === undefined ? {} : { after }),
    ...(delimiter === undefined ? {} : { delimiter }),
    limit: Math.min(limit, MAX_LIST_LIMIT),
  };
}

type Entry = { readonly key: string; readonly item?: ObjectInfo };

/** One page of the contract's listing from one ListObjects answer. */
export function listingOf(
  bucket: string,
  output: ListObjectsCommandOutput,
  request: ListRequest,
): ObjectListing {
  const { limit } = request;
  const items: Entry[] = (output.Contents ?? []).map((content) => {
    const item = listedInfo(bucket, content);
    return { key: item.key, item };
  });
  const prefixes: Entry[] = [
    ...new Set(
      (output.CommonPrefixes ?? [])
        .map((common) => common.Prefix)
        .filter((prefix): prefix is string => typeof prefix === 'string')
        .map((prefix) => completePrefix(prefix, request.delimiter)),
    ),
  ].map((key) => ({ key }));
  const merged = [...items, ...prefixes].sort((a, b) => compareUtf8(a.key, b.key));
  const page = merged.slice(0, limit);
  const truncated = output.IsTruncated === true || merged.length > limit;
  const last = page.at(-1);
  const listing = {
    items: page.flatMap((entry) => (entry.item ? [entry.item] : [])),
    commonPrefixes: page.flatMap((entry) => (entry.item ? [] : [entry.key])),
  };
  if (!truncated || last === undefined) return listing;
  return { ...listing, next: last.item ? last.key : boundAfterPrefix(last.key) };
}

/** A string greater than every key starting with `prefix` and less than every other key after them. */
export function boundAfterPrefix(prefix: string): string {
  const missing = MAX_KEY_BYTES + 1 - Buffer.byteLength(prefix);
  return prefix + GREATEST_CHARACTER.repeat(Math.max(1, Math.ceil(missing / 4)));
}

/** Orders strings as S3 does: by their UTF-8 bytes. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A common prefix ends with the delimiter; one cut inside it is completed. */
function completePrefix(prefix: string, delimiter: string | undefined): string {
  if (delimiter === undefined || prefix.endsWith(delimiter)) return prefix;
  for (let cut = delimiter.length - 1; cut > 0; cut--) {
    if (prefix.endsWith(delimiter.slice(0, cut))) return prefix + delimiter.slice(cut);
  }
  return prefix;
}

type ListedContent = NonNullable<ListObjectsCommandOutput['Contents']>[number];

function listedInfo(bucket: string, content: ListedContent): ObjectInfo {
  return {
    bucket,
    key: content.Key ?? '',
    size: content.Size ?? 0,
    etag: unquoteEtag(content.ETag),
    contentType: '',
    userMetadata: {},
    lastModified: content.LastModified ?? new Date(0),
  };
}

/** S3 sends ETags in quotes; the contract's have none. */
export function unquoteEtag(etag: string | undefined): string {
  if (etag === undefined) return '';
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/**
 * ListObjectsV2 (`GET /bucket?list-type=2`) and the original ListObjects
 * (`GET /bucket`, which s3cmd and older tools still use), over one store
 * listing. The continuation token is the store's `next` key, base64url
 * encoded: opaque to clients, as S3's is, and checked when it comes back.
 */
import type { ObjectListing, ObjectStore } from '../../core/object-store.ts';
import { S3Error } from './s3-error.ts';
import { commonPrefixesXml, contentsXml, document, element } from './s3-xml.ts';
import { uriEncode } from './sigv4/canonical-request.ts';

const MAX_KEYS = 1000;

interface ListParameters {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly maxKeys: number;
  readonly encode: (text: string) => string;
  readonly encodingType?: 'url';
}

export async function listObjectsV2(
  store: ObjectStore,
  bucket: string,
  query: URLSearchParams,
): Promise<string> {
  const common = listParameters(query);
  const token = query.get('continuation-token') ?? undefined;
  const startAfter = query.get('start-after') ?? undefined;
  const after = token !== undefined ? decodeContinuationToken(token) : startAfter || undefined;
  const listing = await listPage(store, bucket, common, after);
  const withOwner = query.get('fetch-owner') === 'true';
  const body =
    element('Name', bucket) +
    element('Prefix', common.encode(common.prefix)) +
    element('ContinuationToken', token) +
    element('NextContinuationToken', listing.next && encodeContinuationToken(listing.next)) +
    element('KeyCount', listing.items.length + listing.commonPrefixes.length) +
    element('MaxKeys', common.maxKeys) +
    element('Delimiter', common.delimiter && common.encode(common.delimiter)) +
    element('IsTruncated', listing.next !== undefined) +
    element('StartAfter', startAfter && common.encode(startAfter)) +
    listing.items.map((item) => contentsXml(item, common.encode, withOwner)).join('') +
    commonPrefixesXml(listing.commonPrefixes, common.encode) +
    element('EncodingType', common.encodingType);
  return document('ListBucketResult', body);
}

export async function listObjectsV1(
  store: ObjectStore,
  bucket: string,
  query: URLSearchParams,
): Promise<string> {
  const common = listParameters(query);
  const marker = query.get('marker') ?? '';
  const listing = await listPage(store, bucket, common, marker || undefined);
  const body =
    element('Name', bucket) +
    element('Prefix', common.encode(common.prefix)) +
    element('Marker', common.encode(marker)) +
    element('NextMarker', listing.next && common.encode(listing.next)) +
    element('MaxKeys', common.maxKeys) +
    element('Delimiter', common.delimiter && common.encode(common.delimiter)) +
    element('IsTruncated', listing.next !== undefined) +
    listing.items.map((item) => contentsXml(item, common.encode, true)).join('') +
    commonPrefixesXml(listing.commonPrefixes, common.encode) +
    element('EncodingType', common.encodingType);
  return document('ListBucketResult', body);
}

async function listPage(
  store: ObjectStore,
  bucket: string,
  parameters: ListParameters,
  after: string | undefined,
): Promise<ObjectListing> {
  if (parameters.maxKeys === 0) {
    // Still asks the store, so a missing bucket is NoSuchBucket as S3 answers.
    await store.list(bucket, { prefix: parameters.prefix, limit: 1 });
    return { items: [], commonPrefixes: [] };
  }
  return store.list(bucket, {
    prefix: parameters.prefix || undefined,
    delimiter: parameters.delimiter || undefined,
    after,
    limit: parameters.maxKeys,
  });
}

function listParameters(query: URLSearchParams): ListParameters {
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw invalidArgument('encoding-type', 'Invalid Encoding Method specified in Request');
  }
  const maxKeysText = query.get('max-keys');
  let maxKeys = MAX_KEYS;
  if (maxKeysText !== null) {
    maxKeys = Number(maxKeysText);
    if (!/^\d+$/.test(maxKeysText) || !Number.isSafeInteger(maxKeys)) {
      throw invalidArgument('max-keys', 'Provided max-keys not an integer or within integer range');
    }
    maxKeys = Math.min(maxKeys, MAX_KEYS);
  }
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') || undefined,
    maxKeys,
    encode: encodingType === 'url' ? (text) => uriEncode(text, false) : (text) => text,
    encodingType: encodingType === 'url' ? 'url' : undefined,
  };
}

export function encodeContinuationToken(after: string): string {
  return Buffer.from(after, 'utf8').toString('base64url');
}

export function decodeContinuationToken(token: string): string {
  const after = Buffer.from(token, 'base64url').toString('utf8');
  // Round-tripping catches tokens that were not made here (base64url decoding is lenient).
  if (after === '' || encodeContinuationToken(after) !== token) {
    throw invalidArgument('continuation-token', 'The continuation token provided is incorrect');
  }
  return after;
}

function invalidArgument(name: string, message: string): S3Error {
  return new S3Error('InvalidArgument', 400, message, { ArgumentName: name });
}

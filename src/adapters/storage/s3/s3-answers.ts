/**
 * What S3's answers to GetObject and HeadObject say, as the contract's
 * values: the object's info, and the bytes asked for, also from a server
 * that ignores a Range (s3rver sends too much, some send the whole object).
 */
import type { Readable } from 'node:stream';
import type { GetObjectCommandOutput, HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { DEFAULT_CONTENT_TYPE } from '../../../core/object-input.ts';
import type { ByteRange, ObjectInfo, StoredObject } from '../../../core/object-store.ts';
import { userMetadataFromWire } from './object-headers.ts';
import { narrowBody, parseContentRange, resolveRange, sliceBody } from './s3-byte-range.ts';
import { unquoteEtag } from './s3-listing.ts';

export function servedObject(
  bucket: string,
  key: string,
  output: GetObjectCommandOutput,
  body: Readable,
  requested: ByteRange | undefined,
): StoredObject {
  if (requested === undefined) {
    return { info: objectInfoOf(bucket, key, output, output.ContentLength ?? 0), body };
  }
  const served = parseContentRange(output.ContentRange);
  if (served) {
    const range = resolveRange(requested, served.size);
    const info = objectInfoOf(bucket, key, output, served.size);
    return { info, body: narrowBody(body, served.range, range), range };
  }
  // The server ignored the Range and sent the whole object.
  const size = output.ContentLength ?? 0;
  const range = resolveRange(requested, size);
  return { info: objectInfoOf(bucket, key, output, size), body: sliceBody(body, range), range };
}

export function objectInfoOf(
  bucket: string,
  key: string,
  output: HeadObjectCommandOutput | GetObjectCommandOutput,
  size: number,
): ObjectInfo {
  return {
    bucket,
    key,
    size,
    etag: unquoteEtag(output.ETag),
    contentType: output.ContentType || DEFAULT_CONTENT_TYPE,
    userMetadata: userMetadataFromWire(output.Metadata),
    lastModified: output.LastModified ?? new Date(0),
  };
}

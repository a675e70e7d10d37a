/**
 * PutObject, GetObject, HeadObject and DeleteObject over the ObjectStore
 * contract. The body of a PutObject streams from the socket into
 * `store.put`, checked on the way (payload/request-body.ts); nothing is
 * buffered whole.
 */
import { Readable } from 'node:stream';
import { MAX_USER_METADATA_BYTES } from '../../core/object-input.ts';
import { validateObjectKey } from '../../core/object-names.ts';
import type { ObjectInfo } from '../../core/object-store.ts';
import { parseRange, resolveRange } from './byte-range.ts';
import { evaluateConditions } from './conditional-request.ts';
import { requestBody } from './payload/request-body.ts';
import { bucketOf, eventContextOf, keyOf, type S3Call } from './s3-call.ts';
import { S3Error } from './s3-error.ts';

const META_PREFIX = 'x-amz-meta-';

/** GetObject's query parameters that override a response header. */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
};

export async function putObject(call: S3Call): Promise<void> {
  const key = validateObjectKey(keyOf(call));
  const headers = call.request.headers;
  const userMetadata = userMetadataOf(call);
  const { body, contentLength } = requestBody({
    source: call.request.raw.iterator({ destroyOnReturn: false }),
    headers,
    mode: call.payload,
    signature: call.signature,
    maxBytes: call.settings.maxObjectBytes,
  });
  const contentMd5 = headers['content-md5'];
  if (Array.isArray(contentMd5)) {
    throw new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.');
  }
  const info = await call.store.put({
    bucket: bucketOf(call),
    key,
    body,
    contentType: headers['content-type'] || undefined,
    userMetadata,
    contentLength,
    contentMd5: contentMd5 || undefined,
    context: eventContextOf(call),
  });
  call.reply.header('etag', `"${info.etag}"`).code(200).send();
}

/** GetObject, or HeadObject when `headOnly`: the same headers, without the body. */
export async function getObject(call: S3Call, headOnly: boolean): Promise<void> {
  const bucket = bucketOf(call);
  const key = validateObjectKey(keyOf(call));
  const info = await call.store.head(bucket, key);
  const { reply } = call;
  if (evaluateConditions(call.request.headers, info) === 'not-modified') {
    reply.header('etag', `"${info.etag}"`).header('last-modified', httpDate(info.lastModified));
    reply.code(304).send();
    return;
  }
  const requested = parseRange(call.request.headers.range);
  let range: { start: number; end: number } | undefined;
  if (requested) {
    try {
      range = resolveRange(requested, info.size);
    } catch (error) {
      reply.header('content-range', `bytes */${info.size}`);
      throw error;
    }
  }
  if (headOnly) {
    objectHeaders(call, info, range);
    reply.send();
    return;
  }
  const stored = await call.store.get(bucket, key, range ? { range } : undefined);
  // The object may have been replaced between head and get: describe what is served.
  objectHeaders(call, stored.info, stored.range ?? range);
  reply.send(Readable.from(stored.body, { objectMode: false }));
}

export async function deleteObject(call: S3Call): Promise<void> {
  const key = validateObjectKey(keyOf(call));
  await call.store.delete(bucketOf(call), key, eventContextOf(call));
  call.reply.code(204).send();
}

function objectHeaders(
  call: S3Call,
  info: ObjectInfo,
  range: { start: number; end: number } | undefined,
): void {
  const { reply } = call;
  reply
    .header('etag', `"${info.etag}"`)
    .header('last-modified', httpDate(info.lastModified))
    .header('content-type', info.contentType)
    .header('accept-ranges', 'bytes');
  for (const [name, value] of Object.entries(info.userMetadata)) {
    reply.header(`${META_PREFIX}${name}`, value);
  }
  for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = call.query.get(parameter);
    if (value !== null) reply.header(header, value);
  }
  if (range) {
    reply
      .code(206)
      .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
      .header('content-length', String(range.end - range.start + 1));
  } else {
    reply.code(200).header('content-length', String(info.size));
  }
}

/**
 * `x-amz-meta-*` headers, names lower-case without the prefix. A presigned
 * URL carries them as query parameters (the SDK's presigner hoists them there).
 */
function userMetadataOf(call: S3Call): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.request.headers)) {
    if (name.startsWith(META_PREFIX) && value !== undefined) {
      metadata[name.slice(META_PREFIX.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  if (call.presigned) {
    for (const [name, value] of call.query) {
      const lower = name.toLowerCase();
      if (lower.startsWith(META_PREFIX)) metadata[lower.slice(META_PREFIX.length)] = value;
    }
  }
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  }
  if (bytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error(
      'MetadataTooLarge',
      400,
      'Your metadata headers exceed the maximum allowed metadata size.',
      { MaxSizeAllowed: String(MAX_USER_METADATA_BYTES) },
    );
  }
  return metadata;
}

/** RFC 9110 IMF-fixdate, as Last-Modified wants it. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/**
 * Uploads through HTTP for browsers and curl: a raw body (image/* or
 * application/octet-stream) or multipart/form-data with a `file` field.
 * Stored in bucket `images` through the object store, so the bucket
 * notification follows as for any S3 upload.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { EventyardError, ValidationError } from '../../core/errors.ts';
import { validateObjectKey } from '../../core/object-names.ts';
import type { ObjectInfo, ObjectStore } from '../../core/object-store.ts';
import { IMAGES_BUCKET } from './names.ts';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/avif': 'avif',
  'image/tiff': 'tiff',
};

export class TooLargeError extends EventyardError {
  constructor(limit: number) {
    super('EY_TOO_LARGE', `upload is larger than ${limit} bytes`, { limit });
  }
}

/** Counts bytes as they pass and stops the upload past the limit. */
async function* limited(body: AsyncIterable<Uint8Array>, limit: number): AsyncIterable<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > limit) throw new TooLargeError(limit);
    yield chunk;
  }
}

function keyFor(requested: string | undefined, contentType: string): string {
  const key = requested ?? `uploads/${randomUUID()}.${EXTENSIONS[contentType] ?? 'bin'}`;
  return validateObjectKey(key);
}

export interface UploadSource {
  readonly body: AsyncIterable<Uint8Array>;
  readonly contentType: string;
  readonly key?: string;
  readonly contentLength?: number;
}

/** Where the upload comes from: the multipart `file` field or the raw body. */
export async function uploadSource(
  request: FastifyRequest<{ Querystring: { key?: string } }>,
): Promise<UploadSource> {
  if (request.isMultipart()) {
    let key = request.query.key;
    for await (const part of request.parts()) {
      if (part.type === 'field' && part.fieldname === 'key') key = String(part.value);
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          throw new ValidationError(
            `unexpected file field '${part.fieldname}': send it as 'file'`,
            {
              path: part.fieldname,
            },
          );
        }
        const name = part.filename.split(/[\\/]/).pop() || undefined;
        return { body: part.file, contentType: part.mimetype, key: key ?? name };
      }
    }
    throw new ValidationError("multipart upload without a 'file' field", { path: 'file' });
  }
  const length = request.headers['content-length'];
  return {
    body: request.body as AsyncIterable<Uint8Array>,
    contentType: String(request.headers['content-type'] ?? 'application/octet-stream').split(
      ';',
    )[0]!,
    key: request.query.key,
    contentLength: length === undefined ? undefined : Number(length),
  };
}

export async function storeUpload(
  objects: ObjectStore,
  source: UploadSource,
  limit: number,
  context: { sourceIp?: string; userAgent?: string },
): Promise<ObjectInfo> {
  if (source.contentLength !== undefined && source.contentLength > limit)
    throw new TooLargeError(limit);
  return objects.put({
    bucket: IMAGES_BUCKET,
    key: keyFor(source.key, source.contentType),
    body: limited(source.body, limit),
    contentType: source.contentType,
    contentLength: source.contentLength,
    context,
  });
}

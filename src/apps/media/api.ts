/**
 * The media HTTP API under /media: image records (paginated), the objects
 * themselves, uploads for browsers and curl, and the OpenAPI document.
 */
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/object-store.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import { decodeCursor, encodeCursor, recordOf } from './image-record.ts';
import { loadMediaConfig } from './media-config.ts';
import { IMAGES_BUCKET, type ImageStatus, THUMBNAILS_BUCKET } from './names.ts';
import {
  idParamsSchema,
  imageRecordSchema,
  listQuerySchema,
  listResponseSchema,
  openApiDocument,
  uploadQuerySchema,
  uploadResponseSchema,
} from './openapi.ts';
import { prepareBuckets } from './prepare-buckets.ts';
import type { MediaDb } from './schema.ts';
import { storeUpload, uploadSource } from './upload.ts';

interface ListQuery {
  status?: ImageStatus;
  key?: string;
  limit: number;
  next?: string;
}

async function sendObject(
  reply: FastifyReply,
  objects: ObjectStore,
  bucket: string,
  key: string,
): Promise<FastifyReply> {
  const stored = await objects.get(bucket, key);
  return reply
    .header('content-type', stored.info.contentType)
    .header('content-length', stored.info.size)
    .header('etag', `"${stored.info.etag}"`)
    .send(Readable.from(stored.body));
}

export const api: ServiceDefinition<MediaDb> = {
  name: 'api',
  async routes(http, { store, objects }) {
    // Before the host listens: an upload made the moment /health answers finds its bucket.
    await prepareBuckets(objects);
    const media = loadMediaConfig(process.env);
    // One byte over our limit: the plugin truncates silently at its own limit,
    // so ours (in storeUpload) must be the one that sees the overflow and refuses.
    await http.register(multipart, {
      limits: { fileSize: media.maxUploadBytes + 1, files: 1, fields: 4 },
    });
    http.addContentTypeParser(/^(image\/|application\/octet-stream)/, (_request, payload, done) =>
      done(null, payload),
    );
    const findRow = async (id: string) => {
      const row = await store.db
        .selectFrom('media_images')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new NotFoundError(`no image record ${id}`, { path: 'id', kind: 'image' });
      return row;
    };

    http.get('/media/openapi.json', () => openApiDocument);

    http.get<{ Querystring: ListQuery }>(
      '/media/images',
      { schema: { querystring: listQuerySchema, response: { 200: listResponseSchema } } },
      async (request) => {
        const { status, key, limit, next } = request.query;
        const cursor = next === undefined ? undefined : decodeCursor(next);
        if (next !== undefined && !cursor) {
          throw new ValidationError('next is not a cursor this API gave out', { path: 'next' });
        }
        let query = store.db.selectFrom('media_images').selectAll();
        if (status) query = query.where('status', '=', status);
        if (key) query = query.where('key', '=', key);
        if (cursor) {
          query = query.where((eb) =>
            eb.or([
              eb('created_at', '>', cursor.createdAt),
              eb.and([eb('created_at', '=', cursor.createdAt), eb('id', '>', cursor.id)]),
            ]),
          );
        }
        const rows = await query
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit + 1)
          .execute();
        const page = rows.slice(0, limit);
        return {
          items: page.map(recordOf),
          next: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null,
        };
      },
    );

    http.get<{ Params: { id: string } }>(
      '/media/images/:id',
      { schema: { params: idParamsSchema, response: { 200: imageRecordSchema } } },
      async (request) => recordOf(await findRow(request.params.id)),
    );

    http.get<{ Params: { id: string } }>(
      '/media/images/:id/original',
      { schema: { params: idParamsSchema } },
      async (request, reply) => {
        const row = await findRow(request.params.id);
        return sendObject(reply, objects, row.bucket, row.key);
      },
    );

    http.get<{ Params: { id: string } }>(
      '/media/images/:id/thumbnail',
      { schema: { params: idParamsSchema } },
      async (request, reply) => {
        const row = await findRow(request.params.id);
        if (!row.thumbnail_key) {
          throw new NotFoundError(`image ${row.id} has no thumbnail (status ${row.status})`, {
            path: 'id',
            kind: 'thumbnail',
          });
        }
        return sendObject(reply, objects, THUMBNAILS_BUCKET, row.thumbnail_key);
      },
    );

    http.post<{ Querystring: { key?: string } }>(
      '/media/images',
      { schema: { querystring: uploadQuerySchema, response: { 201: uploadResponseSchema } } },
      async (request, reply) => {
        const source = await uploadSource(request);
        const info = await storeUpload(objects, source, media.maxUploadBytes, {
          sourceIp: request.ip,
          userAgent: request.headers['user-agent'],
        });
        return reply.code(201).send({
          bucket: IMAGES_BUCKET,
          key: info.key,
          size: info.size,
          etag: info.etag,
          contentType: info.contentType,
          records: `/media/images?key=${encodeURIComponent(info.key)}`,
        });
      },
    );
  },
};

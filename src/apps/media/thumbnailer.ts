/**
 * The thumbnailer (seed 000): takes record ids from `thumbnails-event`,
 * reads the record and the original, writes a thumbnail to bucket
 * `thumbnails` and updates the record with its URL. An upload that is not
 * an image, is truncated or has too many pixels marks the record failed with
 * the reason and goes to the dead-letter topic; the pipeline goes on.
 * libvips's threads run at a lower CPU priority (EVENTYARD_MEDIA_IMAGE_NICE).
 */
import { z } from 'zod';
import { PermanentError } from '../../core/errors.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import { ImageError } from '../image/image-error.ts';
import { lowerImageThreads } from '../image/thread-priority.ts';
import { makeThumbnail } from '../image/thumbnail.ts';
import { readObjectBytes } from '../shared/object-bytes.ts';
import { thumbnailKeyOf, thumbnailUrlOf } from './image-record.ts';
import { loadMediaConfig } from './media-config.ts';
import { THUMBNAILS_BUCKET, THUMBNAILS_EVENT } from './names.ts';
import { prepareBuckets } from './prepare-buckets.ts';
import type { MediaDb } from './schema.ts';

const request = z.object({ id: z.string().min(1).max(200) });

export const thumbnailer: ServiceDefinition<MediaDb> = {
  name: 'thumbnailer',
  subscriptions: (context) => {
    const media = loadMediaConfig(process.env);
    const { objects, store } = context;
    return [
      {
        topic: THUMBNAILS_EVENT,
        policy: { concurrency: media.concurrency },
        handler: async (event, { transaction }) => {
          const parsed = request.safeParse(event.data);
          if (!parsed.success) {
            throw new PermanentError('thumbnail request without a record id', { path: 'data.id' });
          }
          const { id } = parsed.data;
          const row = await store.db
            .selectFrom('media_images')
            .selectAll()
            .where('id', '=', id)
            .executeTakeFirst();
          if (!row) throw new PermanentError(`no image record ${id}`);
          if (row.status === 'thumbnailed') return;
          let thumbnail: Awaited<ReturnType<typeof makeThumbnail>>;
          try {
            const original = await readObjectBytes(
              objects,
              row.bucket,
              row.key,
              media.maxUploadBytes,
            );
            thumbnail = await makeThumbnail(original, media.thumbnail);
          } catch (error) {
            if (error instanceof PermanentError) {
              // Marked outside the unit of work: its inbox record would make a
              // replay of the dead letter a duplicate.
              await store.transaction(({ tx }) =>
                tx
                  .updateTable('media_images')
                  .set({
                    status: 'failed',
                    error: failureOf(error),
                    updated_at: new Date().toISOString(),
                  })
                  .where('id', '=', id)
                  .execute(),
              );
            }
            throw error;
          }
          const key = thumbnailKeyOf(id, thumbnail.format === 'jpeg' ? 'jpg' : thumbnail.format);
          await objects.put({
            bucket: THUMBNAILS_BUCKET,
            key,
            body: thumbnail.data,
            contentType: thumbnail.contentType,
            userMetadata: { 'source-key': row.key, 'record-id': id },
          });
          await transaction(({ tx }) =>
            tx
              .updateTable('media_images')
              .set({
                status: 'thumbnailed',
                thumbnail_key: key,
                thumbnail_url: thumbnailUrlOf(context.publicUrl, id),
                error: null,
                updated_at: new Date().toISOString(),
              })
              .where('id', '=', id)
              .execute(),
          );
        },
      },
    ];
  },
  start: async ({ objects, logger }) => {
    await prepareBuckets(objects);
    // Thumbnails yield to the API when both run in one process (`npm start`).
    const priority = lowerImageThreads(loadMediaConfig(process.env).imageNice, (problem) =>
      logger.warn(problem),
    );
    return { close: async () => priority.stop() };
  },
};

/** What the record says about a failure: the reason code, when there is one, and the message. */
function failureOf(error: PermanentError): string {
  return error instanceof ImageError ? `${error.reason}: ${error.message}` : error.message;
}

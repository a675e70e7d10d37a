/**
 * The indexer (seed 000): takes bucket notifications from
 * `images-bucket-event`, stores a metadata record per uploaded image and
 * sends the record's id to `thumbnails-event`, in one unit of work: a
 * redelivered notification makes no second record.
 */
import { causedBy } from '../../core/envelope.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import { probeImage } from '../image/probe.ts';
import { readObjectBytes } from '../shared/object-bytes.ts';
import { newImageRow } from './image-record.ts';
import { loadMediaConfig } from './media-config.ts';
import { IMAGES_BUCKET_EVENT, THUMBNAILS_EVENT } from './names.ts';
import { readNotification } from './notification.ts';
import { prepareBuckets } from './prepare-buckets.ts';
import type { MediaDb } from './schema.ts';

export const indexer: ServiceDefinition<MediaDb> = {
  name: 'indexer',
  subscriptions: ({ objects }) => {
    const media = loadMediaConfig(process.env);
    return [
      {
        topic: IMAGES_BUCKET_EVENT,
        policy: { concurrency: media.concurrency },
        handler: async (event, { transaction, logger }) => {
          for (const upload of readNotification(event.data)) {
            if (!upload.eventName.startsWith('s3:ObjectCreated:')) continue;
            const bytes = await readObjectBytes(
              objects,
              upload.bucket,
              upload.key,
              media.maxUploadBytes,
            );
            const dimensions = await probeImage(bytes).catch((error: unknown) => {
              // Not an image: indexed without dimensions; the thumbnailer fails it with the reason.
              logger.debug({ err: error, key: upload.key }, 'no dimensions');
              return undefined;
            });
            await transaction(async ({ tx, emit }) => {
              const known = await tx
                .selectFrom('media_images')
                .select('id')
                .where('bucket', '=', upload.bucket)
                .where('key', '=', upload.key)
                .where('sequencer', '=', upload.sequencer)
                .executeTakeFirst();
              if (known) return;
              const row = newImageRow(upload, dimensions);
              await tx.insertInto('media_images').values(row).execute();
              emit(
                THUMBNAILS_EVENT,
                causedBy(event, {
                  type: 'media.thumbnail.requested',
                  source: 'media/indexer',
                  subject: row.id,
                  key: row.id,
                  data: { id: row.id },
                }),
              );
            });
          }
        },
      },
    ];
  },
  start: async ({ objects }) => {
    await prepareBuckets(objects);
    return { close: async () => {} };
  },
};

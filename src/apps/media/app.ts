/**
 * media: the thumbnail pipeline of seed 000. Upload to bucket `images`
 * (S3 endpoint or POST /media/images) -> bucket notification on
 * `images-bucket-event` -> indexer -> `thumbnails-event` -> thumbnailer ->
 * thumbnail in bucket `thumbnails`, record updated.
 */
import { defineApp } from '../../runtime/service.ts';
import { api } from './api.ts';
import { indexer } from './indexer.ts';
import { mediaMigrations } from './schema.ts';
import { thumbnailer } from './thumbnailer.ts';

export const mediaApp = defineApp({
  name: 'media',
  migrations: mediaMigrations,
  services: [api, indexer, thumbnailer],
});

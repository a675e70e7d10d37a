/**
 * The media app's table: one metadata record per uploaded image (the seed
 * keeps them in MongoDB). Written with Kysely's schema builder, so the same
 * migration runs on SQLite and PostgreSQL.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { ImageStatus } from './names.ts';

export interface ImageRow {
  id: string;
  bucket: string;
  key: string;
  size: number;
  etag: string;
  content_type: string;
  width: number | null;
  height: number | null;
  uploaded_at: string;
  status: ImageStatus;
  thumbnail_key: string | null;
  thumbnail_url: string | null;
  error: string | null;
  /** The notification's sequencer: with bucket and key, names one upload. */
  sequencer: string;
  created_at: string;
  updated_at: string;
}

export interface MediaDb {
  media_images: ImageRow;
}

export const mediaMigrations: Record<string, Migration> = {
  '001-media-images': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('media_images')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('etag', 'text', (c) => c.notNull())
        .addColumn('content_type', 'text', (c) => c.notNull())
        .addColumn('width', 'integer')
        .addColumn('height', 'integer')
        .addColumn('uploaded_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('thumbnail_key', 'text')
        .addColumn('thumbnail_url', 'text')
        .addColumn('error', 'text')
        .addColumn('sequencer', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('media_images_upload', ['bucket', 'key', 'sequencer'])
        .execute();
      await db.schema
        .createIndex('media_images_order')
        .on('media_images')
        .columns(['created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('media_images_key')
        .on('media_images')
        .columns(['bucket', 'key'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`DROP TABLE media_images`.execute(db);
    },
  },
};

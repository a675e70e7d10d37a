/**
 * The image record as the API shows it (the seed's metadata document), and
 * the pure steps that make and change it. No I/O: tested without any.
 */
import { randomUUID } from 'node:crypto';
import type { ImageStatus } from './names.ts';
import type { UploadedObject } from './notification.ts';
import type { ImageRow } from './schema.ts';

export interface ImageRecord {
  readonly id: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly contentType: string;
  readonly width: number | null;
  readonly height: number | null;
  readonly uploadedAt: string;
  readonly status: ImageStatus;
  readonly thumbnailUrl: string | null;
  readonly error: string | null;
}

export function recordOf(row: ImageRow): ImageRecord {
  return {
    id: row.id,
    bucket: row.bucket,
    key: row.key,
    size: Number(row.size),
    etag: row.etag,
    contentType: row.content_type,
    width: row.width,
    height: row.height,
    uploadedAt: row.uploaded_at,
    status: row.status,
    thumbnailUrl: row.thumbnail_url,
    error: row.error,
  };
}

/** A new record for an uploaded object, status `indexed`. */
export function newImageRow(
  upload: UploadedObject,
  dimensions: { width: number; height: number } | undefined,
  now = new Date(),
): ImageRow {
  const at = now.toISOString();
  return {
    id: randomUUID(),
    bucket: upload.bucket,
    key: upload.key,
    size: upload.size,
    etag: upload.etag,
    content_type: upload.contentType,
    width: dimensions?.width ?? null,
    height: dimensions?.height ?? null,
    uploaded_at: upload.eventTime,
    status: 'indexed',
    thumbnail_key: null,
    thumbnail_url: null,
    error: null,
    sequencer: upload.sequencer,
    created_at: at,
    updated_at: at,
  };
}

/** Where a record's thumbnail lives: one key per record, so redoing it overwrites. */
export function thumbnailKeyOf(id: string, extension: string): string {
  return `${id}.${extension}`;
}

export function thumbnailUrlOf(publicUrl: string, id: string): string {
  return `${publicUrl}/media/images/${encodeURIComponent(id)}/thumbnail`;
}

/** Keyset pagination cursor over (created_at, id). */
export function encodeCursor(row: Pick<ImageRow, 'created_at' | 'id'>): string {
  return Buffer.from(`${row.created_at}|${row.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString();
  const bar = text.indexOf('|');
  if (bar <= 0 || Number.isNaN(Date.parse(text.slice(0, bar)))) return undefined;
  return { createdAt: text.slice(0, bar), id: text.slice(bar + 1) };
}

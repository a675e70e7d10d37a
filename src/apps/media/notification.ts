/**
 * Reads a bucket notification (MinIO's format, as the embedded store and
 * MinIO's own Kafka/NATS/AMQP targets send it). A malformed one is a
 * PermanentError: it is dead-lettered with the reason and blocks nothing.
 */
import { z } from 'zod';
import { PermanentError } from '../../core/errors.ts';

const record = z.object({
  eventName: z.string().min(1),
  eventTime: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'must be a time'),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().min(0).optional(),
      eTag: z.string().optional(),
      contentType: z.string().optional(),
      sequencer: z.string().min(1),
    }),
  }),
});

const notification = z.object({
  EventName: z.string().min(1),
  Key: z.string().min(1),
  Records: z.array(record).min(1),
});

/** What the indexer needs of an ObjectCreated notification. */
export interface UploadedObject {
  readonly eventName: string;
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly contentType: string;
  readonly eventTime: string;
  readonly sequencer: string;
}

/** Go's url.QueryUnescape, undoing the escaping MinIO applies to keys. */
export function queryUnescape(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new PermanentError(`object key ${JSON.stringify(text)} is not query-escaped`);
  }
}

export function readNotification(data: unknown): UploadedObject[] {
  const parsed = notification.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PermanentError(
      `malformed bucket notification: ${issue.path.join('.') || 'data'}: ${issue.message}`,
      { path: issue.path.join('.') },
    );
  }
  return parsed.data.Records.map((r) => ({
    eventName: r.eventName,
    bucket: r.s3.bucket.name,
    key: queryUnescape(r.s3.object.key),
    size: r.s3.object.size ?? 0,
    etag: (r.s3.object.eTag ?? '').replace(/"/g, ''),
    contentType: r.s3.object.contentType ?? 'application/octet-stream',
    eventTime: new Date(r.eventTime).toISOString(),
    sequencer: r.s3.object.sequencer,
  }));
}

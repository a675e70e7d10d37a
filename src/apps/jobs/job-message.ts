/**
 * What travels between the API and the worker: the job message on
 * `data_stream` (the token's facts and where the payload is, as in the
 * seed) and the outcome on `status_stream`. Both are checked on arrival:
 * a message that does not have this shape can never succeed.
 */
import { z } from 'zod';
import { THUMBNAIL_FORMATS } from '../image/image-formats.ts';
import { THUMBNAIL_FITS } from '../image/thumbnail-options.ts';

const MAX_SIDE = 16_383;

/** What the worker does to an image: turn it upright, strip metadata, fit it in a box, re-encode it. */
export const operationSchema = z
  .object({
    width: z.number().int().min(1).max(MAX_SIDE).optional(),
    height: z.number().int().min(1).max(MAX_SIDE).optional(),
    fit: z.enum(THUMBNAIL_FITS).optional(),
    format: z.enum(THUMBNAIL_FORMATS).optional(),
    quality: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export type OperationInput = z.infer<typeof operationSchema>;
export type Operation = Required<OperationInput>;

export const jobMessageSchema = z.object({
  jobId: z.string().min(1).max(100),
  tenantId: z.string().min(1).max(200),
  clientId: z.string().min(1).max(200),
  subject: z.string().max(500).nullable(),
  payload: z.object({
    bucket: z.string().min(1),
    key: z.string().min(1),
    size: z.number().int().min(0),
    md5: z.string().regex(/^[0-9a-f]{32}$/),
  }),
  operation: operationSchema.required(),
});

export type JobMessage = z.infer<typeof jobMessageSchema>;

export const statusMessageSchema = z.discriminatedUnion('status', [
  z.object({
    jobId: z.string().min(1).max(100),
    tenantId: z.string().min(1).max(200),
    status: z.literal('SUCCESS'),
    result: z.object({
      bucket: z.string().min(1),
      key: z.string().min(1),
      size: z.number().int().min(0),
      contentType: z.string().min(1),
      width: z.number().int().min(1),
      height: z.number().int().min(1),
    }),
  }),
  z.object({
    jobId: z.string().min(1).max(100),
    tenantId: z.string().min(1).max(200),
    status: z.literal('FAILED'),
    reason: z.string().min(1).max(2_000),
  }),
]);

export type StatusMessage = z.infer<typeof statusMessageSchema>;

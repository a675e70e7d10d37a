/**
 * The media app's settings, from EVENTYARD_MEDIA_* environment variables
 * (the runtime lets that prefix through and leaves it to this file). Every
 * value has a default; a bad value, or an unknown EVENTYARD_MEDIA_ name,
 * is refused with a message naming the variable. The schema's
 * descriptions are the reference (`describeMediaConfig`).
 */
import { z } from 'zod';
import { describeSettings, parsePrefixedSettings, wholeNumber } from '../../runtime/settings.ts';
import { THUMBNAIL_FORMATS } from '../image/image-formats.ts';
import {
  THUMBNAIL_DEFAULTS,
  THUMBNAIL_FITS,
  type ThumbnailOptions,
} from '../image/thumbnail-options.ts';

const PREFIX = 'EVENTYARD_MEDIA_';
/** WebP's largest side; JPEG and PNG allow more, but no thumbnail needs it. */
const MAX_SIDE = 16_383;
/** S3's largest single PUT. */
const MAX_UPLOAD_LIMIT = 5 * 1024 ** 3;

const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

export const mediaConfigSchema = z.object({
  EVENTYARD_MEDIA_THUMBNAIL_WIDTH: wholeNumber(1, MAX_SIDE)
    .default(THUMBNAIL_DEFAULTS.width)
    .describe('Width of the box a thumbnail fits in, px'),
  EVENTYARD_MEDIA_THUMBNAIL_HEIGHT: wholeNumber(1, MAX_SIDE)
    .default(THUMBNAIL_DEFAULTS.height)
    .describe('Height of the box a thumbnail fits in, px'),
  EVENTYARD_MEDIA_THUMBNAIL_FIT: oneOf(THUMBNAIL_FITS)
    .default(THUMBNAIL_DEFAULTS.fit)
    .describe(
      'How an image fits the box: inside (whole image, aspect kept), cover (fills, crops), contain (pads), fill (stretches), outside (covers, no crop); small images are never enlarged',
    ),
  EVENTYARD_MEDIA_THUMBNAIL_FORMAT: oneOf(THUMBNAIL_FORMATS)
    .default(THUMBNAIL_DEFAULTS.format)
    .describe('Format thumbnails are written in (jpeg flattens transparency onto white)'),
  EVENTYARD_MEDIA_THUMBNAIL_QUALITY: wholeNumber(1, 100)
    .default(THUMBNAIL_DEFAULTS.quality)
    .describe('Quality of webp, jpeg and avif thumbnails, 1-100 (png is lossless)'),
  EVENTYARD_MEDIA_MAX_PIXELS: wholeNumber(1, Number.MAX_SAFE_INTEGER)
    .default(THUMBNAIL_DEFAULTS.maxPixels)
    .describe(
      'Images with more pixels (width x height) are refused before decoding: the decompression-bomb limit',
    ),
  EVENTYARD_MEDIA_MAX_UPLOAD_BYTES: wholeNumber(1, MAX_UPLOAD_LIMIT)
    .default(50 * 1024 * 1024)
    .describe('Largest upload accepted, bytes (default 50 MiB)'),
  EVENTYARD_MEDIA_CONCURRENCY: wholeNumber(1, 64)
    .default(2)
    .describe('Images the indexer and the thumbnailer each work on at once, per process'),
  EVENTYARD_MEDIA_IMAGE_NICE: wholeNumber(0, 19)
    .default(10)
    .describe(
      "Nice value of libvips's threads on Linux, so thumbnails take the CPU an API in the same process leaves idle (0: unchanged)",
    ),
});

export type MediaVariable = keyof z.output<typeof mediaConfigSchema>;

export interface MediaConfig {
  /** What thumbnails look like, and the pixel limit of originals; pass to `makeThumbnail`. */
  readonly thumbnail: ThumbnailOptions;
  /** The decompression-bomb limit, pixels (also `thumbnail.maxPixels`). */
  readonly maxPixels: number;
  /** Largest upload accepted, bytes. */
  readonly maxUploadBytes: number;
  /** Images the indexer and the thumbnailer each work on at once. */
  readonly concurrency: number;
  /** Nice value of the image threads (0: left alone). */
  readonly imageNice: number;
}

/** Reads and validates the EVENTYARD_MEDIA_* variables of `env`. */
export function loadMediaConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): MediaConfig {
  const v = parsePrefixedSettings(mediaConfigSchema, env, PREFIX);
  return {
    thumbnail: {
      width: v.EVENTYARD_MEDIA_THUMBNAIL_WIDTH,
      height: v.EVENTYARD_MEDIA_THUMBNAIL_HEIGHT,
      fit: v.EVENTYARD_MEDIA_THUMBNAIL_FIT,
      format: v.EVENTYARD_MEDIA_THUMBNAIL_FORMAT,
      quality: v.EVENTYARD_MEDIA_THUMBNAIL_QUALITY,
      maxPixels: v.EVENTYARD_MEDIA_MAX_PIXELS,
    },
    maxPixels: v.EVENTYARD_MEDIA_MAX_PIXELS,
    maxUploadBytes: v.EVENTYARD_MEDIA_MAX_UPLOAD_BYTES,
    concurrency: v.EVENTYARD_MEDIA_CONCURRENCY,
    imageNice: v.EVENTYARD_MEDIA_IMAGE_NICE,
  };
}

/** Each variable with its description and default, for docs and `eventyard config`. */
export function describeMediaConfig(): Array<{
  name: MediaVariable;
  description: string;
  default: unknown;
}> {
  return describeSettings(mediaConfigSchema) as Array<{
    name: MediaVariable;
    description: string;
    default: unknown;
  }>;
}

/**
 * Makes a thumbnail from an original's bytes: checks the pixel limit from
 * the header first, then decodes once (shrinking while decoding where the
 * format allows), turns it upright per EXIF, fits it into the box without
 * enlarging, and writes it without metadata (sharp strips EXIF, GPS and
 * ICC unless told to keep them).
 */
import sharp, { type Sharp } from 'sharp';
import { imageErrorOf } from './image-error.ts';
import { contentTypeOfThumbnail, type ThumbnailFormat } from './image-formats.ts';
import { probeImage } from './probe.ts';
import { THUMBNAIL_DEFAULTS, type ThumbnailOptions } from './thumbnail-options.ts';

export interface Thumbnail {
  readonly data: Buffer;
  readonly format: ThumbnailFormat;
  /** Media type to store and serve it with. */
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
}

const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };
const TRANSPARENT = { r: 255, g: 255, b: 255, alpha: 0 };

/**
 * Throws `ImageError` (a `PermanentError`) when the bytes cannot make a
 * thumbnail: `not-an-image`, `truncated`, `too-many-pixels`. Other errors
 * (out of memory) are thrown as they are, to be retried.
 */
export async function makeThumbnail(
  bytes: Uint8Array,
  options: Partial<ThumbnailOptions> = {},
): Promise<Thumbnail> {
  const settings: ThumbnailOptions = { ...THUMBNAIL_DEFAULTS, ...options };
  await probeImage(bytes, { maxPixels: settings.maxPixels });
  try {
    const { data, info } = await thumbnailPipeline(bytes, settings).toBuffer({
      resolveWithObject: true,
    });
    return {
      data,
      format: settings.format,
      contentType: contentTypeOfThumbnail(settings.format),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw imageErrorOf(error, settings.maxPixels) ?? error;
  }
}

function thumbnailPipeline(bytes: Uint8Array, settings: ThumbnailOptions): Sharp {
  const opaque = settings.format === 'jpeg';
  const image = sharp(bytes, {
    // 'truncated' refuses cut-short data (sharp's default 'warning' would
    // also refuse the harmless warnings many camera JPEGs raise).
    failOn: 'truncated',
    // The probe checked the header already; this guards what it cannot see.
    limitInputPixels: settings.maxPixels,
  })
    .autoOrient()
    .resize({
      width: settings.width,
      height: settings.height,
      fit: settings.fit,
      withoutEnlargement: true,
      background: opaque ? WHITE : TRANSPARENT,
    });
  return encode(opaque ? image.flatten({ background: WHITE }) : image, settings);
}

function encode(image: Sharp, { format, quality }: ThumbnailOptions): Sharp {
  switch (format) {
    case 'webp':
      return image.webp({ quality });
    case 'jpeg':
      return image.jpeg({ quality });
    case 'avif':
      return image.avif({ quality });
    case 'png':
      return image.png();
  }
}

/**
 * Reads what an image is from its header alone, without decoding pixels:
 * the indexer records it, and the thumbnailer checks the pixel limit with
 * it before sharp decodes anything.
 */
import sharp, { type Metadata } from 'sharp';
import { ImageError, imageErrorOf, tooManyPixels } from './image-error.ts';
import {
  ACCEPTED_FORMATS_TEXT,
  contentTypeOfInput,
  type InputFormat,
  isInputFormat,
} from './image-formats.ts';

export interface ImageProbe {
  readonly format: InputFormat;
  /** Media type of the format, e.g. `image/jpeg`. */
  readonly contentType: string;
  /** Width as displayed: EXIF orientations 5-8 (quarter turns) swap the stored width and height. */
  readonly width: number;
  /** Height as displayed. */
  readonly height: number;
  /** EXIF orientation (1-8), when the file carries one. */
  readonly orientation?: number;
}

export interface ProbeOptions {
  /**
   * Refuse images with more pixels than this (`too-many-pixels`). Default:
   * no limit, so the indexer can record the size of a bomb and the
   * thumbnailer, which passes its limit, refuses it.
   */
  readonly maxPixels?: number;
}

/** Throws `ImageError` for an empty file, a non-image, a refused format, a truncated header or too many pixels. */
export async function probeImage(
  bytes: Uint8Array,
  options: ProbeOptions = {},
): Promise<ImageProbe> {
  if (bytes.length === 0) throw new ImageError('not-an-image', 'file is empty');
  let metadata: Metadata;
  try {
    // Reading the header is safe at any size; the limit is checked below,
    // with a message that says how many pixels the image has.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw imageErrorOf(error) ?? error;
  }
  const format = acceptedFormatOf(metadata);
  const { width, height } = metadata.autoOrient;
  if (options.maxPixels !== undefined && width * height > options.maxPixels) {
    throw tooManyPixels(width, height, options.maxPixels);
  }
  return {
    format,
    contentType: contentTypeOfInput(format),
    width,
    height,
    ...(metadata.orientation === undefined ? {} : { orientation: metadata.orientation }),
  };
}

function acceptedFormatOf(metadata: Metadata): InputFormat {
  const { format } = metadata;
  // HEIC (HEVC-coded HEIF) reads a header but the prebuilt libvips cannot decode it.
  if (isInputFormat(format) && (format !== 'heif' || metadata.compression === 'av1')) {
    return format;
  }
  const name = format === 'heif' ? 'HEIC' : format.toUpperCase();
  throw new ImageError(
    'not-an-image',
    `${name} files are not accepted (accepted: ${ACCEPTED_FORMATS_TEXT})`,
    { format },
  );
}

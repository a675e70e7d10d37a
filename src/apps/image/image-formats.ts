/**
 * Which image formats the media app reads and writes, and their media
 * types. Input is limited to raster formats: sharp could also render SVG
 * and PDF, but rendering untrusted vector documents costs what the
 * document asks for, which a pixel limit in a header cannot bound.
 */

/**
 * Formats accepted as uploads, as sharp's `metadata().format` names them
 * (`heif` is AVIF here: the prebuilt libvips decodes AV1-coded HEIF only).
 */
export const INPUT_FORMATS = ['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Formats a thumbnail can be written in. */
export const THUMBNAIL_FORMATS = ['webp', 'jpeg', 'png', 'avif'] as const;
export type ThumbnailFormat = (typeof THUMBNAIL_FORMATS)[number];

const INPUT_CONTENT_TYPES: Record<InputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  heif: 'image/avif',
};

const THUMBNAIL_CONTENT_TYPES: Record<ThumbnailFormat, string> = {
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
  avif: 'image/avif',
};

export function isInputFormat(format: string): format is InputFormat {
  return (INPUT_FORMATS as readonly string[]).includes(format);
}

/** The media type of an accepted input format. */
export function contentTypeOfInput(format: InputFormat): string {
  return INPUT_CONTENT_TYPES[format];
}

/** The media type a thumbnail of `format` is stored and served with. */
export function contentTypeOfThumbnail(format: ThumbnailFormat): string {
  return THUMBNAIL_CONTENT_TYPES[format];
}

/** Input formats as a user reads them in an error message. */
export const ACCEPTED_FORMATS_TEXT = 'JPEG, PNG, WebP, GIF, TIFF, AVIF';

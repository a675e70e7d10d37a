/**
 * What a thumbnail looks like: the box it fits in, how it fits, its format
 * and quality, and the pixel limit its original must stay under. The media
 * config (media-config.ts) reads these from the environment with the same
 * defaults.
 */
import type { ThumbnailFormat } from './image-formats.ts';

/**
 * How the image fits the box (sharp's `fit`): `inside` keeps the aspect
 * ratio within the box, `cover` fills the box and crops, `contain` keeps
 * the aspect ratio and pads to the box, `fill` stretches, `outside` keeps
 * the aspect ratio and covers the box without cropping.
 */
export const THUMBNAIL_FITS = ['inside', 'cover', 'contain', 'fill', 'outside'] as const;
export type ThumbnailFit = (typeof THUMBNAIL_FITS)[number];

export interface ThumbnailOptions {
  /** Width of the box, px. Default 256. */
  readonly width: number;
  /** Height of the box, px. Default 256. */
  readonly height: number;
  /** Default `inside`: the whole image, aspect ratio kept, no side over the box. */
  readonly fit: ThumbnailFit;
  /** Default `webp`. A `jpeg` thumbnail of a transparent image is flattened onto white. */
  readonly format: ThumbnailFormat;
  /** 1-100, for webp, jpeg and avif; png is written losslessly. Default 80. */
  readonly quality: number;
  /**
   * Originals with more pixels (width x height) are refused before they are
   * decoded: a small file can declare a huge image (a decompression bomb).
   * Default 50,000,000 (a 50-megapixel photo passes).
   */
  readonly maxPixels: number;
}

export const THUMBNAIL_DEFAULTS: ThumbnailOptions = {
  width: 256,
  height: 256,
  fit: 'inside',
  format: 'webp',
  quality: 80,
  maxPixels: 50_000_000,
};

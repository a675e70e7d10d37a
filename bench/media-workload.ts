/**
 * What the media measurements work on: the same photo-like JPEG originals
 * and the same thumbnail settings for the raw sharp loop and the end-to-end
 * pipeline, so their ratio compares like with like.
 */
import { THUMBNAIL_DEFAULTS, type ThumbnailOptions } from '../src/apps/image/thumbnail-options.ts';
import { photoJpegs } from '../test/fixtures/media/images.ts';

export interface MediaBenchSizes {
  /** Originals per measurement. */
  readonly images: number;
  /** Size of each original, px. */
  readonly width: number;
  readonly height: number;
  /**
   * Times each original is made into a thumbnail (the end-to-end side
   * uploads it this many times under different keys): a longer, steadier
   * measurement without making more originals.
   */
  readonly rounds: number;
  /** Originals made into thumbnails before timing starts (sharp's first calls set up libvips). */
  readonly warmupImages: number;
  /**
   * Thumbnails in flight at once. 4 is libuv's thread pool (sharp runs
   * each image on it, with libvips threads of its own inside): more only
   * queue. The end-to-end side should use the same.
   */
  readonly concurrency: number;
}

export const MEDIA_DEFAULT_SIZES: MediaBenchSizes = {
  images: 50,
  width: 1600,
  height: 1200,
  rounds: 4,
  warmupImages: 4,
  concurrency: 4,
};

export const MEDIA_QUICK_SIZES: MediaBenchSizes = {
  images: 4,
  width: 400,
  height: 300,
  rounds: 1,
  warmupImages: 1,
  concurrency: 2,
};

/** The thumbnail both sides make: the media app's defaults, 256x256 webp, fit inside. */
export const MEDIA_BENCH_THUMBNAIL: ThumbnailOptions = THUMBNAIL_DEFAULTS;

export interface MediaWorkload {
  readonly originals: readonly Buffer[];
  readonly warmup: readonly Buffer[];
}

/** Makes the originals (different pictures, same size) and the warm-up images. */
export async function mediaWorkload(sizes: MediaBenchSizes): Promise<MediaWorkload> {
  const all = await photoJpegs(sizes.images + sizes.warmupImages, {
    width: sizes.width,
    height: sizes.height,
  });
  return { originals: all.slice(0, sizes.images), warmup: all.slice(sizes.images) };
}

/** Image work shared by the apps (media's thumbnails, the jobs worker): pure functions over bytes, with sharp. */
export {
  IMAGE_FAILURE_REASONS,
  ImageError,
  type ImageFailureReason,
} from './image-error.ts';
export {
  contentTypeOfThumbnail,
  INPUT_FORMATS,
  type InputFormat,
  THUMBNAIL_FORMATS,
  type ThumbnailFormat,
} from './image-formats.ts';
export { type ImageProbe, type ProbeOptions, probeImage } from './probe.ts';
export { makeThumbnail, type Thumbnail } from './thumbnail.ts';
export {
  THUMBNAIL_DEFAULTS,
  THUMBNAIL_FITS,
  type ThumbnailFit,
  type ThumbnailOptions,
} from './thumbnail-options.ts';

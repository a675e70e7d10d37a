/** The messages between ImageProcess and its child (image-process-child.ts), over IPC. */
import type { ImageFailureReason } from './image-error.ts';
import type { Thumbnail } from './thumbnail.ts';
import type { ThumbnailOptions } from './thumbnail-options.ts';

export interface ImageRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly options: Partial<ThumbnailOptions>;
}

/**
 * A thumbnail, or why there is none (`reason` when the image is at fault:
 * an ImageError); or, once at the start, that the child is ready, with
 * the problems it met lowering its priority.
 */
export type ImageReply =
  | { readonly id: number; readonly thumbnail: Thumbnail }
  | { readonly id: number; readonly reason?: ImageFailureReason; readonly message: string }
  | { readonly ready: true; readonly problems: readonly string[] };

/**
 * Why an image cannot be made into a thumbnail. Each failure depends on the
 * bytes alone, so retrying cannot help: `ImageError` is a `PermanentError`
 * (the event goes to the dead-letter topic at once) and carries a stable
 * `reason` that the thumbnailer writes into the failed record.
 */
import { type ErrorDetails, PermanentError } from '../../core/errors.ts';
import { ACCEPTED_FORMATS_TEXT } from './image-formats.ts';

export const IMAGE_FAILURE_REASONS = ['not-an-image', 'truncated', 'too-many-pixels'] as const;

/**
 * - `not-an-image`: empty, text, or a format that is not accepted.
 * - `truncated`: the header is readable but the data is cut short or corrupt.
 * - `too-many-pixels`: more pixels than the limit (a decompression bomb).
 */
export type ImageFailureReason = (typeof IMAGE_FAILURE_REASONS)[number];

export class ImageError extends PermanentError {
  readonly reason: ImageFailureReason;

  constructor(reason: ImageFailureReason, message: string, details: ErrorDetails = {}) {
    super(message, { ...details, reason });
    this.reason = reason;
  }
}

const count = new Intl.NumberFormat('en-US');

export function tooManyPixels(width: number, height: number, maxPixels: number): ImageError {
  const pixels = width * height;
  return new ImageError(
    'too-many-pixels',
    `image has ${count.format(pixels)} pixels (${width}x${height}), more than the limit of ${count.format(maxPixels)}`,
    { width, height, pixels, maxPixels },
  );
}

// sharp reports input problems as plain Errors; their messages are all
// there is to tell them apart (sharp 0.35, libvips 8.18).
const EMPTY = /input buffer is empty/i;
const UNKNOWN_FORMAT = /unsupported image format/i;
const PIXEL_LIMIT = /exceeds pixel limit/i;
const OUT_OF_MEMORY = /out of memory|memory allocation/i;
// A refused parameter: a bug or a bad configuration, not the upload's fault.
const BAD_PARAMETER = /^Expected .* but received /;

/** The first line of a libvips message, which repeats itself on following lines. */
function firstLine(message: string): string {
  const line = message.split('\n', 1)[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

/**
 * Classifies an error sharp threw while reading `bytes`. Returns undefined
 * for what is not about the input (out of memory, a refused parameter), which the caller
 * rethrows so the delivery is retried.
 */
export function imageErrorOf(error: unknown, maxPixels?: number): ImageError | undefined {
  if (error instanceof ImageError) return error;
  if (!(error instanceof Error)) return undefined;
  const { message } = error;
  if (OUT_OF_MEMORY.test(message) || BAD_PARAMETER.test(message)) return undefined;
  if (EMPTY.test(message)) {
    return new ImageError('not-an-image', 'file is empty', { cause: error });
  }
  if (UNKNOWN_FORMAT.test(message)) {
    return new ImageError(
      'not-an-image',
      `file is not an image in a supported format (${ACCEPTED_FORMATS_TEXT})`,
      { cause: error },
    );
  }
  if (PIXEL_LIMIT.test(message)) {
    const limit = maxPixels === undefined ? '' : ` of ${count.format(maxPixels)}`;
    return new ImageError('too-many-pixels', `image has more pixels than the limit${limit}`, {
      cause: error,
      ...(maxPixels === undefined ? {} : { maxPixels }),
    });
  }
  return new ImageError(
    'truncated',
    `image data is truncated or corrupt (${firstLine(message.replace(/^Input buffer has corrupt header: /i, ''))})`,
    { cause: error },
  );
}

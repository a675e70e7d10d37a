/**
 * A requested byte range against an object's size, with HTTP's rules
 * (RFC 9110 14.1.2): an end past the last byte is clamped to it; a start
 * at or past the size cannot be satisfied (S3's InvalidRange, HTTP 416).
 */
import { ValidationError } from '../../../core/errors.ts';
import type { ByteRange } from '../../../core/object-store.ts';

export interface ResolvedRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

export function resolveRange(range: ByteRange, size: number): ResolvedRange {
  const { start, end } = range;
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!whole(start) || (end !== undefined && (!whole(end) || end < start))) {
    throw invalidRange(`invalid byte range ${JSON.stringify(range)}`, size);
  }
  if (start >= size) {
    throw invalidRange(`byte range starts at ${start}, past the object's ${size} bytes`, size);
  }
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

function invalidRange(message: string, size: number): ValidationError {
  return new ValidationError(message, { path: 'range', code: 'InvalidRange', size });
}

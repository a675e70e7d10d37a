/**
 * The Range header of GetObject: `bytes=a-b`, `bytes=a-` and `bytes=-n`.
 * Like S3, a header that is not one single byte range is ignored (the whole
 * object is served); a range that starts past the end is InvalidRange (416).
 */
import { S3Error } from './s3-error.ts';

export type RangeRequest =
  | { readonly kind: 'from'; readonly start: number; readonly end?: number }
  | { readonly kind: 'suffix'; readonly length: number };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

export function parseRange(header: string | undefined): RangeRequest | undefined {
  const match = header === undefined ? null : SINGLE_RANGE.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return { kind: 'suffix', length: Number(last) };
  const start = Number(first);
  if (last === '') return { kind: 'from', start };
  const end = Number(last);
  return end < start ? undefined : { kind: 'from', start, end };
}

/** Inclusive first and last byte for an object of `size` bytes. */
export function resolveRange(range: RangeRequest, size: number): { start: number; end: number } {
  if (range.kind === 'suffix') {
    if (range.length === 0 || size === 0) throw invalidRange(size);
    return { start: Math.max(0, size - range.length), end: size - 1 };
  }
  if (range.start >= size) throw invalidRange(size);
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

export function invalidRange(size: number): S3Error {
  return new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
    ActualObjectSize: String(size),
  });
}

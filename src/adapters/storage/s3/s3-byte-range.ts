/**
 * Byte ranges on GetObject. The request is checked before it is sent (a
 * malformed range is InvalidRange, as the contract says, where S3 would
 * ignore it and send the whole object); the answer is checked against the
 * contract after: a range starting at or past the size is InvalidRange.
 * S3 answers that with 416, but S3-compatible servers differ on the empty
 * object (some send 206 `bytes 0-0/0`, some ignore the Range and send 200),
 * so the served range is read from Content-Range, and a server that ignored
 * the Range, or served more than it asked for, has its body cut here.
 */
import { EngineError, ValidationError } from '../../../core/errors.ts';
import type { ByteRange } from '../../../core/object-store.ts';

export interface ServedRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/** The Range header for a requested range; InvalidRange if it is malformed. */
export function rangeHeaderOf(range: ByteRange): string {
  const { start, end } = range;
  const whole = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!whole(start) || (end !== undefined && (!whole(end) || end < start))) {
    throw invalidRange(`invalid byte range ${JSON.stringify(range)}`);
  }
  return end === undefined ? `bytes=${start}-` : `bytes=${start}-${end}`;
}

/** `bytes 10-19/100` as the range and the object's size; undefined if it is not that form. */
export function parseContentRange(
  header: string | undefined,
): { range: ServedRange; size: number } | undefined {
  const match = header === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!match) return undefined;
  return { range: { start: Number(match[1]), end: Number(match[2]) }, size: Number(match[3]) };
}

/** The range the contract serves for `requested` on an object of `size` bytes. */
export function resolveRange(requested: ByteRange, size: number): ServedRange {
  if (requested.start >= size) {
    throw invalidRange(
      `byte range starts at ${requested.start}, past the object's ${size} bytes`,
      size,
    );
  }
  return { start: requested.start, end: Math.min(requested.end ?? size - 1, size - 1) };
}

/** Only bytes `range.start` to `range.end` of a body that holds the whole object. */
export async function* sliceBody(
  body: AsyncIterable<Uint8Array>,
  range: ServedRange,
): AsyncGenerator<Uint8Array> {
  let at = 0;
  for await (const chunk of body) {
    const from = Math.max(range.start - at, 0);
    const to = Math.min(range.end + 1 - at, chunk.byteLength);
    if (from < to) yield chunk.subarray(from, to);
    at += chunk.byteLength;
    if (at > range.end) return;
  }
}

/**
 * The body of `wanted`, from a body that holds `served`. Some servers send
 * more than was asked (s3rver 3.7 reads `bytes=0-0` as `bytes=0-`); less
 * than was asked is the server's fault, not something to hand on.
 */
export function narrowBody(
  body: AsyncIterable<Uint8Array> & { destroy(): void },
  served: ServedRange,
  wanted: ServedRange,
): AsyncIterable<Uint8Array> {
  if (served.start === wanted.start && served.end === wanted.end) return body;
  if (served.start > wanted.start || served.end < wanted.end) {
    body.destroy();
    throw new EngineError(
      `S3 served bytes ${served.start}-${served.end} for a request of ${wanted.start}-${wanted.end}`,
      { served, wanted },
    );
  }
  const offset = served.start;
  return sliceBody(body, { start: wanted.start - offset, end: wanted.end - offset });
}

export function invalidRange(message: string, size?: number): ValidationError {
  return new ValidationError(message, {
    path: 'range',
    code: 'InvalidRange',
    ...(size === undefined ? {} : { size }),
  });
}

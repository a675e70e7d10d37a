/**
 * A request body as the store receives it: decoded from aws-chunked when it
 * came that way, bounded by the size limit, and checked against every
 * digest the client sent (signed SHA-256, x-amz-checksum-* header or
 * trailer). The checks run as the bytes stream through; a failed one throws
 * from the stream before it ends, so a store's put discards everything and
 * nothing is stored.
 */
import { createHash } from 'node:crypto';
import { S3Error } from '../s3-error.ts';
import type { VerifiedSignature } from '../sigv4/verify-signature.ts';
import { decodeAwsChunked } from './aws-chunked-decoder.ts';
import {
  type ChecksumAlgorithm,
  checksumAlgorithmOf,
  type RunningChecksum,
  runningChecksum,
} from './checksums.ts';
import type { PayloadMode } from './payload-mode.ts';

export interface RequestBodyInput {
  readonly source: AsyncIterable<Uint8Array>;
  /** Node's parsed headers (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly mode: PayloadMode;
  /** Needed for signed chunks. */
  readonly signature?: VerifiedSignature;
  /** Largest body accepted, in bytes (after aws-chunked decoding). */
  readonly maxBytes: number;
  /** The error for a body over the limit; default EntityTooLarge. */
  readonly tooLarge?: (maxBytes: number) => S3Error;
}

export interface RequestBody {
  readonly body: AsyncIterable<Uint8Array>;
  /** The size the client declared (decoded size for aws-chunked), when it did. */
  readonly contentLength?: number;
}

interface BodyCheck {
  update(data: Uint8Array): void;
  /** Throws when the whole body does not match. */
  finish(): void;
}

export function requestBody(input: RequestBodyInput): RequestBody {
  const tooLarge = input.tooLarge ?? entityTooLarge;
  const { mode, headers } = input;
  const chunked = mode.kind === 'chunked';
  const contentLength = declaredLength(
    headers,
    chunked ? 'x-amz-decoded-content-length' : 'content-length',
  );
  if (contentLength !== undefined && contentLength > input.maxBytes) {
    throw tooLarge(input.maxBytes);
  }
  let trailers: ReadonlyMap<string, string> = new Map();
  let source = input.source;
  if (chunked) {
    const decoded = decodeAwsChunked(input.source, {
      trailer: mode.trailer,
      signing:
        mode.signedChunks && input.signature
          ? {
              signingKey: input.signature.signingKey,
              amzDate: input.signature.amzDate,
              scope: input.signature.scope,
              seedSignature: input.signature.signature,
            }
          : undefined,
    });
    trailers = decoded.trailers;
    source = decoded;
  }
  const checks: BodyCheck[] = [sizeLimit(input.maxBytes, tooLarge)];
  if (mode.kind === 'sha256') checks.push(sha256Check(mode.hex));
  for (const [name, value] of Object.entries(headers)) {
    const algorithm = checksumAlgorithmOf(name);
    if (algorithm && typeof value === 'string') checks.push(checksumCheck(algorithm, () => value));
  }
  if (chunked && mode.trailer) {
    const announced = headerText(headers, 'x-amz-trailer');
    for (const name of announced?.split(',') ?? []) {
      const trailerName = name.trim().toLowerCase();
      const algorithm = checksumAlgorithmOf(trailerName);
      if (algorithm) checks.push(checksumCheck(algorithm, () => trailers.get(trailerName)));
    }
  }
  return { body: checked(source, checks), contentLength };
}

async function* checked(
  source: AsyncIterable<Uint8Array>,
  checks: readonly BodyCheck[],
): AsyncGenerator<Uint8Array> {
  for await (const data of source) {
    for (const check of checks) check.update(data);
    yield data;
  }
  for (const check of checks) check.finish();
}

function sizeLimit(maxBytes: number, tooLarge: (maxBytes: number) => S3Error): BodyCheck {
  let total = 0;
  return {
    update: (data) => {
      total += data.length;
      if (total > maxBytes) throw tooLarge(maxBytes);
    },
    finish: () => {},
  };
}

function sha256Check(expectedHex: string): BodyCheck {
  const hash = createHash('sha256');
  return {
    update: (data) => hash.update(data),
    finish: () => {
      const actual = hash.digest('hex');
      if (actual !== expectedHex) {
        throw new S3Error(
          'XAmzContentSHA256Mismatch',
          400,
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: expectedHex, S3ComputedContentSHA256: actual },
        );
      }
    },
  };
}

/** `expected` is read at the end: a trailer only exists once the body has been read. */
function checksumCheck(
  algorithm: ChecksumAlgorithm,
  expected: () => string | undefined,
): BodyCheck {
  const checksum: RunningChecksum = runningChecksum(algorithm);
  return {
    update: (data) => checksum.update(data),
    finish: () => {
      const given = expected();
      if (given === undefined) {
        throw new S3Error(
          'InvalidRequest',
          400,
          `The x-amz-checksum-${algorithm} trailer was announced in x-amz-trailer but not sent.`,
        );
      }
      if (checksum.digest() !== given) {
        throw new S3Error(
          'BadDigest',
          400,
          `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
        );
      }
    },
  };
}

function declaredLength(headers: RequestBodyInput['headers'], name: string): number | undefined {
  const text = headerText(headers, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw new S3Error('InvalidArgument', 400, `${name} must be a whole number of bytes.`, {
      ArgumentName: name,
    });
  }
  return value;
}

function headerText(headers: RequestBodyInput['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function entityTooLarge(maxBytes: number): S3Error {
  return new S3Error(
    'EntityTooLarge',
    400,
    'Your proposed upload exceeds the maximum allowed object size.',
    { MaxSizeAllowed: String(maxBytes) },
  );
}

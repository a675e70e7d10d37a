/**
 * Decodes an `aws-chunked` request body (Content-Encoding: aws-chunked):
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n <data> \r\n   ... repeated
 *   0[;chunk-signature=<sig>]\r\n
 *   [<trailer-name>:<value>\r\n ... [x-amz-trailer-signature:<sig>\r\n]] \r\n
 *
 * With signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]) each
 * chunk's signature chains from the previous one, starting at the request's
 * signature; a wrong one fails the stream. Data is passed on as it arrives
 * and the chunk is judged at its end, so the consumer (an object store's
 * put) must discard what it got when the stream fails: the store contract
 * promises exactly that. Trailing headers are collected for the caller,
 * which verifies the checksum they carry.
 */
import { createHash } from 'node:crypto';
import { S3Error } from '../s3-error.ts';
import {
  type CredentialScope,
  chunkStringToSign,
  hmac,
  sameSignature,
  trailerStringToSign,
} from '../sigv4/signing.ts';
import { ByteReader, incomplete, malformed } from './byte-reader.ts';

export interface ChunkSigning {
  readonly signingKey: Buffer;
  readonly amzDate: string;
  readonly scope: CredentialScope;
  /** The request's own signature, which the first chunk's signature chains from. */
  readonly seedSignature: string;
}

export interface AwsChunkedOptions {
  /** Present when chunks are signed: every chunk signature (and the trailer's) is verified. */
  readonly signing?: ChunkSigning;
  /** Whether trailing headers follow the last chunk (the `...-TRAILER` payload modes). */
  readonly trailer: boolean;
}

export interface AwsChunkedBody extends AsyncIterable<Uint8Array> {
  /** The trailing headers, lower-case names; filled once the body has been read to its end. */
  readonly trailers: ReadonlyMap<string, string>;
}

const MAX_LINE_BYTES = 4096;
const CHUNK_HEADER = /^([0-9a-fA-F]{1,13})(?:;(.*))?$/;
const CHUNK_SIGNATURE = /^chunk-signature=([0-9a-fA-F]{64})$/;

export function decodeAwsChunked(
  source: AsyncIterable<Uint8Array>,
  options: AwsChunkedOptions,
): AwsChunkedBody {
  const trailers = new Map<string, string>();
  return {
    trailers,
    [Symbol.asyncIterator]: () => readChunks(new ByteReader(source), options, trailers),
  };
}

async function* readChunks(
  reader: ByteReader,
  options: AwsChunkedOptions,
  trailers: Map<string, string>,
): AsyncGenerator<Uint8Array> {
  try {
    yield* chunks(reader, options, trailers);
  } finally {
    await reader.close();
  }
}

async function* chunks(
  reader: ByteReader,
  options: AwsChunkedOptions,
  trailers: Map<string, string>,
): AsyncGenerator<Uint8Array> {
  let previousSignature = options.signing?.seedSignature ?? '';
  for (;;) {
    const header = await reader.readLine(MAX_LINE_BYTES);
    if (header === undefined) throw incomplete();
    const { size, signature } = parseChunkHeader(header, options.signing !== undefined);
    const hash = options.signing ? createHash('sha256') : undefined;
    for (let left = size; left > 0; ) {
      const data = await reader.read(left);
      if (data === undefined) throw incomplete();
      hash?.update(data);
      left -= data.length;
      yield data;
    }
    if (options.signing) {
      previousSignature = checkChunkSignature(
        options.signing,
        previousSignature,
        hash!.digest('hex'),
        signature!,
      );
    }
    if (size === 0) break;
    await reader.expect('\r\n');
  }
  if (options.trailer) {
    await readTrailers(reader, trailers, options.signing, previousSignature);
  } else {
    // The closing CRLF after the last chunk; some clients end the stream without it.
    await reader.readLine(MAX_LINE_BYTES, true);
  }
  if (!(await reader.atEnd())) throw malformed('bytes follow the last chunk');
}

function parseChunkHeader(line: string, signed: boolean): { size: number; signature?: string } {
  const match = CHUNK_HEADER.exec(line);
  if (!match) throw malformed(`bad chunk header ${JSON.stringify(line.slice(0, 80))}`);
  const size = Number.parseInt(match[1]!, 16);
  if (!signed) return { size };
  const signature = CHUNK_SIGNATURE.exec(match[2] ?? '');
  if (!signature) throw malformed('a signed chunk lacks its chunk-signature');
  return { size, signature: signature[1]!.toLowerCase() };
}

/** Verifies one chunk's signature and returns it, the next chunk's predecessor. */
function checkChunkSignature(
  signing: ChunkSigning,
  previous: string,
  chunkSha256: string,
  given: string,
): string {
  const toSign = chunkStringToSign(signing.amzDate, signing.scope, previous, chunkSha256);
  const expected = hmac(signing.signingKey, toSign).toString('hex');
  if (!sameSignature(expected, given)) throw chunkSignatureMismatch('chunk');
  return expected;
}

async function readTrailers(
  reader: ByteReader,
  trailers: Map<string, string>,
  signing: ChunkSigning | undefined,
  previousSignature: string,
): Promise<void> {
  let canonical = '';
  let trailerSignature: string | undefined;
  for (;;) {
    const line = await reader.readLine(MAX_LINE_BYTES, true);
    if (line === undefined || line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed(`bad trailing header ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      trailerSignature = value.toLowerCase();
      continue;
    }
    trailers.set(name, value);
    canonical += `${name}:${value}\n`;
  }
  if (!signing) return;
  if (trailerSignature === undefined) throw malformed('the trailer lacks x-amz-trailer-signature');
  const toSign = trailerStringToSign(signing.amzDate, signing.scope, previousSignature, canonical);
  if (!sameSignature(hmac(signing.signingKey, toSign).toString('hex'), trailerSignature)) {
    throw chunkSignatureMismatch('trailer');
  }
}

function chunkSignatureMismatch(part: 'chunk' | 'trailer'): S3Error {
  return new S3Error(
    'SignatureDoesNotMatch',
    403,
    `The ${part} signature we calculated does not match the signature you provided.`,
  );
}

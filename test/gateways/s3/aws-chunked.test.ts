/**
 * aws-chunked decoding: the signed-chunk example of the S3 API reference
 * (sigv4-streaming: 65 KiB of 'a' in a 64 KiB and a 1 KiB chunk, seed
 * signature 4f232c43...), the unsigned-trailer form the AWS SDK sends for
 * streams, signed trailers, and malformed bodies.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  type ChunkSigning,
  decodeAwsChunked,
} from '../../../src/gateways/s3/payload/aws-chunked-decoder.ts';
import { signingKey } from '../../../src/gateways/s3/sigv4/signing.ts';

const SCOPE = { date: '20130524', region: 'us-east-1', service: 's3' };
const AMZ_DATE = '20130524T000000Z';
const EXAMPLE_SIGNING: ChunkSigning = {
  signingKey: signingKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', SCOPE),
  amzDate: AMZ_DATE,
  scope: SCOPE,
  seedSignature: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
};

/** The example body, byte for byte as the reference gives it. */
function referenceBody(): Buffer {
  return Buffer.concat([
    Buffer.from(
      '10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n',
    ),
    Buffer.alloc(65536, 'a'),
    Buffer.from(
      '\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n',
    ),
    Buffer.alloc(1024, 'a'),
    Buffer.from(
      '\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n',
    ),
  ]);
}

/** Feeds `body` in pieces of `size` bytes, as a socket might. */
async function* pieces(body: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < body.length; i += size) yield body.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function crc32Base64(data: Buffer): string {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data), 0);
  return out.toString('base64');
}

/** A signed body with a signed trailer, made here independently of the decoder. */
function signedTrailerBody(data: Buffer[], trailerValue: string, breakTrailerSignature = false) {
  const key = EXAMPLE_SIGNING.signingKey;
  const scope = `${SCOPE.date}/${SCOPE.region}/${SCOPE.service}/aws4_request`;
  const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
  const sign = (text: string) => createHmac('sha256', key).update(text).digest('hex');
  let previous = EXAMPLE_SIGNING.seedSignature;
  const parts: Buffer[] = [];
  for (const chunk of [...data, Buffer.alloc(0)]) {
    previous = sign(
      ['AWS4-HMAC-SHA256-PAYLOAD', AMZ_DATE, scope, previous, sha(''), sha(chunk)].join('\n'),
    );
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`));
    if (chunk.length > 0) parts.push(chunk, Buffer.from('\r\n'));
  }
  const trailer = `x-amz-checksum-crc32:${trailerValue}\n`;
  let trailerSignature = sign(
    ['AWS4-HMAC-SHA256-TRAILER', AMZ_DATE, scope, previous, sha(trailer)].join('\n'),
  );
  if (breakTrailerSignature)
    trailerSignature = trailerSignature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  parts.push(
    Buffer.from(`${trailer.trimEnd()}\r\nx-amz-trailer-signature:${trailerSignature}\r\n\r\n`),
  );
  return Buffer.concat(parts);
}

describe('signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
  test('the reference example decodes, read in any piece size', async () => {
    for (const size of [1, 7, 100, 65536, 1 << 20]) {
      const decoded = decodeAwsChunked(pieces(referenceBody(), size), {
        signing: EXAMPLE_SIGNING,
        trailer: false,
      });
      const data = await collect(decoded);
      assert.equal(data.length, 66560, `piece size ${size}`);
      assert.ok(data.every((byte) => byte === 0x61));
    }
  });

  test('one changed data byte fails the chunk signature', async () => {
    const body = referenceBody();
    body[body.length - 200] = 0x62;
    const decoded = decodeAwsChunked(pieces(body, 4096), {
      signing: EXAMPLE_SIGNING,
      trailer: false,
    });
    await assert.rejects(collect(decoded), { code: 'SignatureDoesNotMatch', status: 403 });
  });

  test('a different seed (another request signature) fails the first chunk', async () => {
    const decoded = decodeAwsChunked(pieces(referenceBody(), 4096), {
      signing: { ...EXAMPLE_SIGNING, seedSignature: '0'.repeat(64) },
      trailer: false,
    });
    await assert.rejects(collect(decoded), { code: 'SignatureDoesNotMatch' });
  });

  test('a chunk without its signature, a truncated body and trailing junk are refused', async () => {
    const unsigned = Buffer.from('3\r\nabc\r\n0\r\n\r\n');
    await assert.rejects(
      collect(decodeAwsChunked(pieces(unsigned, 5), { signing: EXAMPLE_SIGNING, trailer: false })),
      { code: 'InvalidRequest' },
    );
    const truncated = referenceBody().subarray(0, 60_000);
    await assert.rejects(
      collect(
        decodeAwsChunked(pieces(truncated, 4096), { signing: EXAMPLE_SIGNING, trailer: false }),
      ),
      { code: 'IncompleteBody' },
    );
    const junk = Buffer.concat([referenceBody(), Buffer.from('extra')]);
    await assert.rejects(
      collect(decodeAwsChunked(pieces(junk, 4096), { signing: EXAMPLE_SIGNING, trailer: false })),
      { code: 'InvalidRequest' },
    );
  });
});

describe('the source', () => {
  test('a failed decode lets go of its source, so the rest of a request body can be drained', async () => {
    // A request stream read through an iterator ignores resume() until the iterator returns.
    const body = referenceBody();
    body[100] = 0x62;
    let offset = 0;
    let returned = false;
    const source: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (offset >= body.length) return { done: true, value: undefined };
          offset += 1000;
          return { done: false, value: body.subarray(offset - 1000, offset) };
        },
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const decoded = decodeAwsChunked(source, { signing: EXAMPLE_SIGNING, trailer: false });
    await assert.rejects(collect(decoded), { code: 'SignatureDoesNotMatch' });
    assert.ok(offset < body.length, 'it stopped reading at the bad chunk');
    assert.equal(returned, true);
  });
});

describe('trailers', () => {
  test('the SDK form (STREAMING-UNSIGNED-PAYLOAD-TRAILER) yields data and the checksum trailer', async () => {
    const data = Buffer.from('abcdef');
    const body = Buffer.from(
      `3\r\nabc\r\n3\r\ndef\r\n0\r\nx-amz-checksum-crc32:${crc32Base64(data)}\r\n\r\n`,
    );
    for (const size of [1, 3, 1000]) {
      const decoded = decodeAwsChunked(pieces(body, size), { trailer: true });
      assert.deepEqual(await collect(decoded), data);
      assert.equal(decoded.trailers.get('x-amz-checksum-crc32'), crc32Base64(data));
    }
  });

  test('a body that ends right after the last chunk (no checksum, no CRLF) is accepted', async () => {
    const decoded = decodeAwsChunked(pieces(Buffer.from('2\r\nhi\r\n0\r\n'), 4), { trailer: true });
    assert.equal((await collect(decoded)).toString(), 'hi');
    assert.equal(decoded.trailers.size, 0);
  });

  test('signed chunks with a signed trailer verify; a wrong trailer signature does not', async () => {
    const data = [Buffer.alloc(9000, 'x'), Buffer.from('tail')];
    const checksum = crc32Base64(Buffer.concat(data));
    const good = decodeAwsChunked(pieces(signedTrailerBody(data, checksum), 1000), {
      signing: EXAMPLE_SIGNING,
      trailer: true,
    });
    assert.equal((await collect(good)).length, 9004);
    assert.equal(good.trailers.get('x-amz-checksum-crc32'), checksum);

    const bad = decodeAwsChunked(pieces(signedTrailerBody(data, checksum, true), 1000), {
      signing: EXAMPLE_SIGNING,
      trailer: true,
    });
    await assert.rejects(collect(bad), { code: 'SignatureDoesNotMatch' });
  });
});

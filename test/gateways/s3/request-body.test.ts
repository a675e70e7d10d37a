/**
 * The checks a PutObject body passes on its way to the store: size limit,
 * signed SHA-256, x-amz-checksum-* headers and trailers. A failed check must
 * throw from the stream before it ends (that is what makes a store discard
 * the object), so each test asserts the stream rejects, not just a flag.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  type ChecksumAlgorithm,
  runningChecksum,
} from '../../../src/gateways/s3/payload/checksums.ts';
import { payloadModeOf } from '../../../src/gateways/s3/payload/payload-mode.ts';
import { requestBody } from '../../../src/gateways/s3/payload/request-body.ts';

async function* from(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield Buffer.from(part);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of source) text += Buffer.from(chunk).toString();
  return text;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function checksumOf(algorithm: ChecksumAlgorithm, text: string): string {
  const checksum = runningChecksum(algorithm);
  checksum.update(Buffer.from(text));
  return checksum.digest();
}

describe('checksums', () => {
  test('match the standard check values of "123456789"', () => {
    const check = (algorithm: ChecksumAlgorithm) =>
      Buffer.from(checksumOf(algorithm, '123456789'), 'base64').toString('hex');
    assert.equal(check('crc32'), 'cbf43926');
    assert.equal(check('crc32c'), 'e3069283');
    assert.equal(check('crc64nvme'), 'ae8b14860a799888');
    assert.equal(check('sha1'), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
  });

  test('give the same digest fed at once or byte by byte', () => {
    const text = 'The quick brown fox jumps over the lazy dog'.repeat(37);
    for (const algorithm of ['crc32', 'crc32c', 'crc64nvme', 'sha256'] as const) {
      const piecewise = runningChecksum(algorithm);
      for (const byte of Buffer.from(text)) piecewise.update(Uint8Array.of(byte));
      assert.equal(piecewise.digest(), checksumOf(algorithm, text), algorithm);
    }
  });
});

describe('requestBody', () => {
  test('passes a body whose signed SHA-256 matches, and refuses one that does not', async () => {
    const good = requestBody({
      source: from('hello ', 'world'),
      headers: { 'content-length': '11' },
      mode: payloadModeOf(sha256('hello world')),
      maxBytes: 100,
    });
    assert.equal(good.contentLength, 11);
    assert.equal(await drain(good.body), 'hello world');

    const tampered = requestBody({
      source: from('hello ', 'w0rld'),
      headers: {},
      mode: payloadModeOf(sha256('hello world')),
      maxBytes: 100,
    });
    await assert.rejects(drain(tampered.body), { code: 'XAmzContentSHA256Mismatch' });
  });

  test('refuses a declared length over the limit at once, and a longer stream at the first byte over', async () => {
    assert.throws(
      () =>
        requestBody({
          source: from('x'),
          headers: { 'content-length': '101' },
          mode: { kind: 'unsigned' },
          maxBytes: 100,
        }),
      { code: 'EntityTooLarge' },
    );
    const seen: string[] = [];
    const streamed = requestBody({
      source: from('a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60)),
      headers: {},
      mode: { kind: 'unsigned' },
      maxBytes: 100,
    });
    await assert.rejects(
      (async () => {
        for await (const chunk of streamed.body) seen.push(Buffer.from(chunk).toString());
      })(),
      { code: 'EntityTooLarge' },
    );
    assert.equal(seen.length, 1, 'the chunk that crossed the limit was never passed on');
  });

  test('checks an x-amz-checksum-* header', async () => {
    const ok = requestBody({
      source: from('data'),
      headers: { 'x-amz-checksum-crc32c': checksumOf('crc32c', 'data') },
      mode: { kind: 'unsigned' },
      maxBytes: 100,
    });
    assert.equal(await drain(ok.body), 'data');
    const bad = requestBody({
      source: from('data'),
      headers: { 'x-amz-checksum-sha1': checksumOf('sha1', 'other') },
      mode: { kind: 'unsigned' },
      maxBytes: 100,
    });
    await assert.rejects(drain(bad.body), { code: 'BadDigest' });
  });

  test('decodes aws-chunked and checks the announced trailer checksum', async () => {
    const body = (checksum: string) =>
      from('4\r\ndata\r\n', `0\r\nx-amz-checksum-crc32:${checksum}\r\n\r\n`);
    const headers = {
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'x-amz-decoded-content-length': '4',
      'content-length': '52',
    };
    const mode = payloadModeOf('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    const ok = requestBody({
      source: body(checksumOf('crc32', 'data')),
      headers,
      mode,
      maxBytes: 10,
    });
    assert.equal(ok.contentLength, 4, 'the decoded length, not the encoded one');
    assert.equal(await drain(ok.body), 'data');
    const bad = requestBody({
      source: body(checksumOf('crc32', 'dat4')),
      headers,
      mode,
      maxBytes: 10,
    });
    await assert.rejects(drain(bad.body), { code: 'BadDigest' });
    const missing = requestBody({
      source: from('4\r\ndata\r\n0\r\n\r\n'),
      headers,
      mode,
      maxBytes: 10,
    });
    await assert.rejects(drain(missing.body), { code: 'InvalidRequest' });
  });

  test('payload modes: unknown values are refused, SigV4A streaming is not implemented', () => {
    assert.throws(() => payloadModeOf('not-a-hash'), { code: 'InvalidArgument' });
    assert.throws(() => payloadModeOf('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD'), {
      code: 'NotImplemented',
    });
    assert.deepEqual(payloadModeOf('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'), {
      kind: 'chunked',
      signedChunks: true,
      trailer: true,
    });
  });
});

/**
 * The pure parts of request handling: addressing (path and virtual-host
 * style, decoding once), Range, conditional headers, continuation tokens
 * and XML escaping.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRange, resolveRange } from '../../../src/gateways/s3/byte-range.ts';
import { evaluateConditions } from '../../../src/gateways/s3/conditional-request.ts';
import {
  decodeContinuationToken,
  encodeContinuationToken,
} from '../../../src/gateways/s3/list-objects.ts';
import { s3AddressOf } from '../../../src/gateways/s3/s3-address.ts';
import { errorXml, escapeXml } from '../../../src/gateways/s3/s3-xml.ts';

const DOMAINS = ['localhost'];

describe('addressing', () => {
  test('path style: bucket, then the key decoded exactly once', () => {
    const address = s3AddressOf(
      '/images/a%20b/c%2Bd%252F.jpg?x-id=GetObject',
      '127.0.0.1:9000',
      DOMAINS,
    );
    assert.equal(address.style, 'path');
    assert.equal(address.bucket, 'images');
    assert.equal(address.key, 'a b/c+d%2F.jpg');
    assert.equal(address.rawPath, '/images/a%20b/c%2Bd%252F.jpg');
    assert.equal(address.rawQuery, 'x-id=GetObject');
  });

  test('path style: the service, a bucket, a bucket with a trailing slash', () => {
    assert.equal(s3AddressOf('/', 'localhost:9000', DOMAINS).bucket, undefined);
    assert.deepEqual(
      [
        s3AddressOf('/b1', 'localhost', DOMAINS).bucket,
        s3AddressOf('/b1', 'localhost', DOMAINS).key,
      ],
      ['b1', undefined],
    );
    assert.equal(s3AddressOf('/b1/', 'localhost', DOMAINS).key, undefined);
  });

  test('virtual-host style under a configured domain, any port, any case', () => {
    const address = s3AddressOf('/dir/photo.jpg', 'Images.LOCALHOST:9000', DOMAINS);
    assert.equal(address.style, 'virtual-host');
    assert.equal(address.bucket, 'images');
    assert.equal(address.key, 'dir/photo.jpg');
    assert.equal(s3AddressOf('/', 'my.bucket.localhost', DOMAINS).bucket, 'my.bucket');
    // Not under a configured domain: path style.
    assert.equal(s3AddressOf('/b/k', 'images.example.com', DOMAINS).bucket, 'b');
    assert.equal(s3AddressOf('/b/k', 's3.example.com', ['example.com']).bucket, 's3');
  });

  test('a malformed escape is InvalidURI; traversal segments reach validation as they are', () => {
    assert.throws(() => s3AddressOf('/b/%E0%A4%A', 'localhost', DOMAINS), { code: 'InvalidURI' });
    assert.equal(s3AddressOf('/b/%2E%2E/x', 'localhost', DOMAINS).key, '../x');
  });
});

describe('Range', () => {
  test('the three single-range forms', () => {
    assert.deepEqual(resolveRange(parseRange('bytes=0-4')!, 10), { start: 0, end: 4 });
    assert.deepEqual(resolveRange(parseRange('bytes=5-')!, 10), { start: 5, end: 9 });
    assert.deepEqual(resolveRange(parseRange('bytes=-3')!, 10), { start: 7, end: 9 });
    assert.deepEqual(resolveRange(parseRange('bytes=-30')!, 10), { start: 0, end: 9 });
    assert.deepEqual(resolveRange(parseRange('bytes=8-100')!, 10), { start: 8, end: 9 });
  });

  test('headers that are not one valid range are ignored', () => {
    for (const header of [
      undefined,
      'bytes=0-1,3-4',
      'items=0-1',
      'bytes=5-2',
      'bytes=-',
      'nonsense',
    ]) {
      assert.equal(parseRange(header), undefined, String(header));
    }
  });

  test('a range past the end is InvalidRange (416)', () => {
    assert.throws(() => resolveRange(parseRange('bytes=10-')!, 10), {
      code: 'InvalidRange',
      status: 416,
    });
    assert.throws(() => resolveRange(parseRange('bytes=-0')!, 10), { code: 'InvalidRange' });
    assert.throws(() => resolveRange(parseRange('bytes=0-')!, 0), { code: 'InvalidRange' });
  });
});

describe('conditional requests', () => {
  const info = {
    bucket: 'b',
    key: 'k',
    size: 1,
    etag: 'abc',
    contentType: 'text/plain',
    userMetadata: {},
    lastModified: new Date('2024-01-01T10:00:00.500Z'),
  };
  test('If-None-Match and If-Modified-Since give 304', () => {
    assert.equal(evaluateConditions({ 'if-none-match': '"abc"' }, info), 'not-modified');
    assert.equal(evaluateConditions({ 'if-none-match': '"xyz"' }, info), 'proceed');
    assert.equal(
      evaluateConditions({ 'if-modified-since': 'Mon, 01 Jan 2024 10:00:00 GMT' }, info),
      'not-modified',
    );
    assert.equal(
      evaluateConditions({ 'if-modified-since': 'Mon, 01 Jan 2024 09:59:59 GMT' }, info),
      'proceed',
    );
  });

  test('If-Match and If-Unmodified-Since give 412 PreconditionFailed', () => {
    assert.throws(() => evaluateConditions({ 'if-match': '"xyz"' }, info), {
      code: 'PreconditionFailed',
      status: 412,
    });
    assert.equal(evaluateConditions({ 'if-match': '"xyz", "abc"' }, info), 'proceed');
    assert.throws(
      () => evaluateConditions({ 'if-unmodified-since': 'Mon, 01 Jan 2024 09:00:00 GMT' }, info),
      { code: 'PreconditionFailed' },
    );
  });
});

describe('continuation tokens and XML', () => {
  test('tokens round-trip any key and refuse what was not made here', () => {
    for (const key of ['a', 'dir/ünï code/😀.jpg', 'x+y=z']) {
      assert.equal(decodeContinuationToken(encodeContinuationToken(key)), key);
    }
    for (const forged of ['', 'not base64!', 'YQ=', 'YQ==']) {
      assert.throws(() => decodeContinuationToken(forged), { code: 'InvalidArgument' }, forged);
    }
  });

  test('values are escaped in XML documents', () => {
    assert.equal(
      escapeXml(`<a href="x">'&'</a>`),
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
    const xml = errorXml({
      code: 'NoSuchKey',
      message: 'The specified key does not exist.',
      resource: '/b/<k>',
      requestId: 'ID',
      fields: { Key: '<k>' },
    });
    assert.match(
      xml,
      /<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>&lt;k&gt;<\/Key><Resource>\/b\/&lt;k&gt;<\/Resource><RequestId>ID<\/RequestId><\/Error>$/,
    );
  });
});

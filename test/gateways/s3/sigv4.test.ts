/**
 * SigV4 verification against the worked examples of the S3 API reference
 * (sig-v4-header-based-auth, sigv4-query-string-auth; credentials
 * AKIAIOSFODNN7EXAMPLE, time 20130524T000000Z) and against requests signed
 * by the AWS SDK's own signer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  canonicalQuery,
  canonicalUri,
  queryPairs,
  uriEncode,
} from '../../../src/gateways/s3/sigv4/canonical-request.ts';
import { readSignatureClaim } from '../../../src/gateways/s3/sigv4/signature-claim.ts';
import { verifySignature } from '../../../src/gateways/s3/sigv4/verify-signature.ts';
import { signer } from './signed-request.ts';

const EXAMPLE_KEY = 'AKIAIOSFODNN7EXAMPLE';
const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EXAMPLE_TIME = new Date('2013-05-24T00:00:00Z');
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SECRETS = new Map([[EXAMPLE_KEY, EXAMPLE_SECRET]]);

interface Example {
  readonly method: string;
  readonly url: string;
  /** [name, value] as sent. */
  readonly headers: Array<[string, string]>;
}

function verifyExample(example: Example, now = EXAMPLE_TIME, secrets = SECRETS) {
  const mark = example.url.indexOf('?');
  const rawPath = mark < 0 ? example.url : example.url.slice(0, mark);
  const query = queryPairs(mark < 0 ? '' : example.url.slice(mark + 1));
  const headers = Object.fromEntries(example.headers.map(([n, v]) => [n.toLowerCase(), v]));
  const claim = readSignatureClaim({ headers, query });
  assert.ok(claim, 'the request carries a signature');
  return verifySignature(
    claim,
    { method: example.method, rawPath, query, rawHeaders: example.headers.flat() },
    { secrets, now },
  );
}

function authorization(signedHeaders: string, signature: string): [string, string] {
  return [
    'Authorization',
    `AWS4-HMAC-SHA256 Credential=${EXAMPLE_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`,
  ];
}

const GET_OBJECT: Example = {
  method: 'GET',
  url: '/test.txt',
  headers: [
    ['Host', 'examplebucket.s3.amazonaws.com'],
    [
      ...authorization(
        'host;range;x-amz-content-sha256;x-amz-date',
        'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      ),
    ] as [string, string],
    ['Range', 'bytes=0-9'],
    ['x-amz-content-sha256', EMPTY],
    ['x-amz-date', '20130524T000000Z'],
  ],
};

describe('the S3 reference examples verify', () => {
  test('GET Object with a Range header', () => {
    const verified = verifyExample(GET_OBJECT);
    assert.equal(verified.accessKeyId, EXAMPLE_KEY);
    assert.equal(verified.payloadHash, EMPTY);
  });

  test('PUT Object with a $ in the key, a Date header and a storage class', () => {
    verifyExample({
      method: 'PUT',
      url: '/test%24file.text',
      headers: [
        ['Host', 'examplebucket.s3.amazonaws.com'],
        ['Date', 'Fri, 24 May 2013 00:00:00 GMT'],
        authorization(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
        ['x-amz-date', '20130524T000000Z'],
        ['x-amz-storage-class', 'REDUCED_REDUNDANCY'],
        [
          'x-amz-content-sha256',
          '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
        ],
      ],
    });
  });

  test('GET Bucket lifecycle (a subresource without a value)', () => {
    verifyExample({
      method: 'GET',
      url: '/?lifecycle',
      headers: [
        ['Host', 'examplebucket.s3.amazonaws.com'],
        authorization(
          'host;x-amz-content-sha256;x-amz-date',
          'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
        ),
        ['x-amz-date', '20130524T000000Z'],
        ['x-amz-content-sha256', EMPTY],
      ],
    });
  });

  test('GET Bucket (list objects) with query parameters', () => {
    verifyExample({
      method: 'GET',
      url: '/?max-keys=2&prefix=J',
      headers: [
        ['Host', 'examplebucket.s3.amazonaws.com'],
        authorization(
          'host;x-amz-content-sha256;x-amz-date',
          '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
        ),
        ['x-amz-date', '20130524T000000Z'],
        ['x-amz-content-sha256', EMPTY],
      ],
    });
  });

  test('a presigned GET (query-string authentication)', () => {
    const example: Example = {
      method: 'GET',
      url: `/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${EXAMPLE_KEY}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404`,
      headers: [['Host', 'examplebucket.s3.amazonaws.com']],
    };
    assert.equal(verifyExample(example).payloadHash, 'UNSIGNED-PAYLOAD');
    // A day later it has expired.
    assert.throws(
      () => verifyExample(example, new Date(EXAMPLE_TIME.getTime() + 86_401_000)),
      (error: Error & { code?: string }) =>
        error.code === 'AccessDenied' && /expired/.test(error.message),
    );
  });
});

describe('refusals', () => {
  test('one changed header value is SignatureDoesNotMatch, with the string to sign', () => {
    const tampered = {
      ...GET_OBJECT,
      headers: GET_OBJECT.headers.map(([n, v]): [string, string] =>
        n === 'Range' ? [n, 'bytes=0-10'] : [n, v],
      ),
    };
    assert.throws(
      () => verifyExample(tampered),
      (error: Error & { code?: string; status?: number; fields?: Record<string, string> }) =>
        error.code === 'SignatureDoesNotMatch' &&
        error.status === 403 &&
        error.fields?.CanonicalRequest?.includes('range:bytes=0-10') === true,
    );
  });

  test('a wrong secret is SignatureDoesNotMatch; an unknown key is InvalidAccessKeyId', () => {
    assert.throws(
      () => verifyExample(GET_OBJECT, EXAMPLE_TIME, new Map([[EXAMPLE_KEY, 'not-the-secret']])),
      { code: 'SignatureDoesNotMatch' },
    );
    assert.throws(() => verifyExample(GET_OBJECT, EXAMPLE_TIME, new Map([['OTHER', 'x']])), {
      code: 'InvalidAccessKeyId',
    });
  });

  test('more than 15 minutes of clock skew is RequestTimeTooSkewed, either way', () => {
    const skew = 15 * 60 * 1000 + 1000;
    for (const now of [EXAMPLE_TIME.getTime() + skew, EXAMPLE_TIME.getTime() - skew]) {
      assert.throws(() => verifyExample(GET_OBJECT, new Date(now)), {
        code: 'RequestTimeTooSkewed',
      });
    }
    verifyExample(GET_OBJECT, new Date(EXAMPLE_TIME.getTime() + 14 * 60 * 1000));
  });

  test('a configured region refuses signatures for another', () => {
    const headers = Object.fromEntries(GET_OBJECT.headers.map(([n, v]) => [n.toLowerCase(), v]));
    const claim = readSignatureClaim({ headers, query: [] })!;
    const request = {
      method: 'GET',
      rawPath: '/test.txt',
      query: [],
      rawHeaders: GET_OBJECT.headers.flat(),
    };
    assert.throws(
      () =>
        verifySignature(claim, request, {
          secrets: SECRETS,
          now: EXAMPLE_TIME,
          region: 'eu-west-1',
        }),
      { code: 'AuthorizationHeaderMalformed' },
    );
  });

  test('header-signed requests must state x-amz-content-sha256; V2 is refused', () => {
    const headers = { authorization: GET_OBJECT.headers[1]![1], 'x-amz-date': '20130524T000000Z' };
    assert.throws(() => readSignatureClaim({ headers, query: [] }), { code: 'InvalidRequest' });
    assert.throws(
      () => readSignatureClaim({ headers: { authorization: 'AWS AKID:c2lnbmF0dXJl' }, query: [] }),
      { code: 'AuthorizationHeaderMalformed' },
    );
    assert.equal(readSignatureClaim({ headers: {}, query: [] }), undefined);
  });
});

describe('canonical forms', () => {
  test('the path is decoded once and re-encoded strictly, never twice', () => {
    assert.equal(canonicalUri('/bucket/a%20b/c(d)'), '/bucket/a%20b/c%28d%29');
    assert.equal(canonicalUri('/bucket/%2541'), '/bucket/%2541');
    assert.equal(canonicalUri('/bucket/caf%C3%A9~'), '/bucket/caf%C3%A9~');
    assert.equal(canonicalUri(''), '/');
    assert.equal(uriEncode('a/b c', false), 'a/b%20c');
  });

  test('query pairs are sorted by name then value, valueless ones get "="', () => {
    const pairs = queryPairs('prefix=J&max-keys=2&acl&b=2&b=1&x=a+b');
    assert.equal(canonicalQuery(pairs), 'acl=&b=1&b=2&max-keys=2&prefix=J&x=a%20b');
  });
});

describe('requests signed by the AWS SDK signer verify', () => {
  const credentials = { accessKeyId: 'sdk-key', secretAccessKey: 'sdk-secret' };
  const cases: Array<{ path: string; query: Record<string, string> }> = [
    { path: '/bucket/plain.txt', query: {} },
    { path: '/bucket/dir/sub dir/file name+plus.jpg', query: {} },
    { path: "/bucket/weird!'()*&$@=;:,?#[]~.txt", query: {} },
    { path: '/bucket/ünïcødé/日本語/😀', query: {} },
    {
      path: '/bucket',
      query: { 'list-type': '2', prefix: 'a b/ü', 'continuation-token': 'x+y/z=' },
    },
    {
      path: '/bucket/k',
      query: { 'response-content-type': 'text/plain; charset=utf-8', 'x-id': 'GetObject' },
    },
  ];
  for (const { path, query } of cases) {
    test(`${path} ${JSON.stringify(query)}`, async () => {
      // The S3 client escapes each path segment itself before signing.
      const wirePath = path
        .split('/')
        .map((segment) =>
          encodeURIComponent(segment).replace(
            /[!'()*]/g,
            (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
          ),
        )
        .join('/');
      const signingDate = new Date('2024-02-29T12:34:56Z');
      const signed = await signer(credentials).sign(
        {
          method: 'PUT',
          protocol: 'http:',
          hostname: '127.0.0.1',
          port: 9000,
          path: wirePath,
          query,
          headers: {
            host: '127.0.0.1:9000',
            'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
            'x-amz-meta-note': '  two  spaces  ',
            'content-type': 'image/jpeg',
          },
        },
        { signingDate },
      );
      const rawQuery = Object.entries(query)
        .map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`)
        .join('&');
      const headers = signed.headers as Record<string, string>;
      const claim = readSignatureClaim({ headers, query: queryPairs(rawQuery) })!;
      const verified = verifySignature(
        claim,
        {
          method: 'PUT',
          rawPath: wirePath,
          query: queryPairs(rawQuery),
          rawHeaders: Object.entries(headers).flat(),
        },
        {
          secrets: new Map([[credentials.accessKeyId, credentials.secretAccessKey]]),
          now: signingDate,
        },
      );
      assert.equal(verified.accessKeyId, 'sdk-key');
    });
  }
});

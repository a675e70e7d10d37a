/**
 * What the endpoint refuses, and that a refusal stores nothing: bad or
 * missing signatures, expired presigned URLs, tampered bodies, traversal
 * keys, oversized bodies, bad bucket names. Errors are S3's XML documents
 * with S3's codes and statuses, so SDKs raise the exceptions users expect.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { buildS3Gateway, startS3Gateway } from '../../../src/gateways/s3/s3-gateway.ts';
import { uniqueName } from '../../support/names.ts';
import { CREDENTIALS, type S3Fixture, startS3Fixture } from './s3-fixture.ts';
import { errorCode, presignUrl, send, signer, signRequest } from './signed-request.ts';

const MAX_OBJECT_BYTES = 4096;
let s3: S3Fixture;

before(async () => {
  s3 = await startS3Fixture({ maxObjectBytes: MAX_OBJECT_BYTES });
});
after(async () => {
  await s3.close();
});

async function newBucket(): Promise<string> {
  const bucket = uniqueName('refuse');
  await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function keysOf(bucket: string): Promise<string[]> {
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (listed.Contents ?? []).map((c) => c.Key!);
}

async function sdkFailure(promise: Promise<unknown>): Promise<{ code: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    return { code: error.name, status: error.$metadata.httpStatusCode };
  }
  assert.fail('expected the request to fail');
}

/** A signed PUT of `body` to /bucket/<rawKey>, sent as is. */
async function signedPut(bucket: string, rawKey: string, body: Buffer, options = {}) {
  const request = await signRequest(
    { method: 'PUT', endpoint: s3.url, path: `/${bucket}/${rawKey}`, body },
    options,
  );
  return send(request);
}

describe('authentication', () => {
  test('a wrong secret gets 403 SignatureDoesNotMatch as S3 XML, with a request id', async () => {
    const bucket = await newBucket();
    const wrong = signer({ accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'wrong-secret' });
    const response = await signedPut(bucket, 'k', Buffer.from('data'), { signer: wrong });
    assert.equal(response.status, 403);
    assert.match(String(response.headers['content-type']), /application\/xml/);
    assert.equal(errorCode(response.text), 'SignatureDoesNotMatch');
    assert.match(response.text, /<RequestId>[0-9A-F]{16}<\/RequestId>/);
    assert.match(String(response.headers['x-amz-request-id']), /^[0-9A-F]{16}$/);
    assert.match(response.text, /<Resource>\/refuse-[0-9a-f]{8}\/k<\/Resource>/);
    assert.deepEqual(await keysOf(bucket), []);

    const sdk = s3.clientWith({ credentials: { ...CREDENTIALS, secretAccessKey: 'wrong-secret' } });
    assert.deepEqual(await sdkFailure(sdk.send(new ListObjectsV2Command({ Bucket: bucket }))), {
      code: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  test('an unknown access key gets 403 InvalidAccessKeyId; no signature gets 403 AccessDenied', async () => {
    const bucket = await newBucket();
    const stranger = signer({
      accessKeyId: 'nobody',
      secretAccessKey: CREDENTIALS.secretAccessKey,
    });
    const response = await signedPut(bucket, 'k', Buffer.from('data'), { signer: stranger });
    assert.deepEqual([response.status, errorCode(response.text)], [403, 'InvalidAccessKeyId']);
    const anonymous = await fetch(`${s3.url}/${bucket}/k`, { method: 'PUT', body: 'data' });
    assert.deepEqual([anonymous.status, errorCode(await anonymous.text())], [403, 'AccessDenied']);
    assert.deepEqual(await keysOf(bucket), []);
  });

  test('a request signed more than 15 minutes ago is RequestTimeTooSkewed', async () => {
    const bucket = await newBucket();
    const signingDate = new Date(Date.now() - 20 * 60 * 1000);
    const response = await signedPut(bucket, 'k', Buffer.from('data'), { signingDate });
    assert.deepEqual([response.status, errorCode(response.text)], [403, 'RequestTimeTooSkewed']);
  });

  test('an expired presigned URL is AccessDenied; an edited one is SignatureDoesNotMatch', async () => {
    const bucket = await newBucket();
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'secret' }));
    const expired = await presignUrl(
      { method: 'GET', endpoint: s3.url, path: `/${bucket}/k` },
      { expiresIn: 60, signingDate: new Date(Date.now() - 10 * 60 * 1000) },
    );
    const response = await fetch(expired);
    const text = await response.text();
    assert.deepEqual([response.status, errorCode(text)], [403, 'AccessDenied']);
    assert.match(text, /Request has expired/);

    const valid = await getSignedUrl(
      s3.client,
      new GetObjectCommand({ Bucket: bucket, Key: 'k' }),
      {
        expiresIn: 60,
      },
    );
    assert.equal((await fetch(valid)).status, 200);
    const edited = await fetch(valid.replace(`/${bucket}/k?`, `/${bucket}/other?`));
    assert.deepEqual(
      [edited.status, errorCode(await edited.text())],
      [403, 'SignatureDoesNotMatch'],
    );
  });
});

describe('bodies', () => {
  test('a body that does not match its signed SHA-256 is refused and nothing is stored', async () => {
    const bucket = await newBucket();
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'original' }));
    const request = await signRequest({
      method: 'PUT',
      endpoint: s3.url,
      path: `/${bucket}/kept`,
      body: Buffer.from('replaced'),
    });
    // Same length, other bytes: the signature still matches, the payload hash does not.
    const response = await send({ ...request, body: Buffer.from('tampered') });
    assert.deepEqual(
      [response.status, errorCode(response.text)],
      [400, 'XAmzContentSHA256Mismatch'],
    );
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept' }));
    assert.equal(await got.Body!.transformToString(), 'original', 'the old object is untouched');

    const fresh = await signRequest({
      method: 'PUT',
      endpoint: s3.url,
      path: `/${bucket}/fresh`,
      body: Buffer.from('replaced'),
    });
    const refused = await send({ ...fresh, body: Buffer.from('tampered') });
    assert.equal(refused.status, 400);
    assert.deepEqual(await keysOf(bucket), ['kept']);
  });

  test('a body over maxObjectBytes is EntityTooLarge and stores nothing, in every framing', async () => {
    const bucket = await newBucket();
    const big = Buffer.alloc(MAX_OBJECT_BYTES + 1, 'x');
    const fromBuffer = await sdkFailure(
      s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'buffer', Body: big })),
    );
    assert.deepEqual(fromBuffer, { code: 'EntityTooLarge', status: 400 });
    const fromStream = await sdkFailure(
      s3.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'stream',
          Body: Readable.from([big.subarray(0, 3000), big.subarray(3000)]),
          ContentLength: big.length,
        }),
      ),
    );
    assert.deepEqual(fromStream, { code: 'EntityTooLarge', status: 400 });
    // Chunked transfer without any declared length: refused once the bytes pass the limit.
    const request = await signRequest(
      {
        method: 'PUT',
        endpoint: s3.url,
        path: `/${bucket}/undeclared`,
        headers: { 'transfer-encoding': 'chunked' },
      },
      { payloadHash: 'UNSIGNED-PAYLOAD' },
    );
    const undeclared = await send({ ...request, body: big });
    assert.deepEqual([undeclared.status, errorCode(undeclared.text)], [400, 'EntityTooLarge']);
    assert.deepEqual(await keysOf(bucket), []);
    // The client and its connections still work.
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'small', Body: 'ok' }));
    assert.deepEqual(await keysOf(bucket), ['small']);
  });

  test('signed aws-chunked uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) verify every chunk', async () => {
    const bucket = await newBucket();
    const data = Buffer.alloc(3000, 'q');
    const good = await sendSignedChunks(s3.url, bucket, 'chunked', [
      data.subarray(0, 2000),
      data.subarray(2000),
    ]);
    assert.equal(good.status, 200, good.text);
    const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'chunked' }));
    assert.equal(await got.Body!.transformToString(), data.toString());

    const bad = await sendSignedChunks(
      s3.url,
      bucket,
      'forged',
      [Buffer.from('abc'), Buffer.from('def')],
      1,
    );
    assert.deepEqual([bad.status, errorCode(bad.text)], [403, 'SignatureDoesNotMatch']);
    assert.deepEqual(await keysOf(bucket), ['chunked']);
  });

  test('after a refusal mid-body the rest is drained, so the keep-alive connection serves the next request', async () => {
    const unlimited = await startS3Fixture();
    // One socket: the second request can only run once the first one's body was fully sent.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const bucket = uniqueName('drain');
      await unlimited.client.send(new CreateBucketCommand({ Bucket: bucket }));
      const chunks = Array.from({ length: 120 }, () => Buffer.alloc(64 * 1024, 'z'));
      const bad = await sendSignedChunks(unlimited.url, bucket, 'big', chunks, 0, agent);
      assert.deepEqual([bad.status, errorCode(bad.text)], [403, 'SignatureDoesNotMatch']);
      const list = await signRequest({
        method: 'GET',
        endpoint: unlimited.url,
        path: `/${bucket}`,
      });
      const next = await send({ ...list, agent });
      assert.equal(next.status, 200);
      assert.doesNotMatch(next.text, /<Key>/, 'nothing was stored');
    } finally {
      agent.destroy();
      await unlimited.close();
    }
  });
});

/** An aws-chunked body with chunk signatures, made here from the spec; `forge` breaks that chunk's data. */
async function sendSignedChunks(
  endpoint: string,
  bucket: string,
  key: string,
  chunks: Buffer[],
  forge?: number,
  agent?: Agent,
) {
  const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
  const signingDate = new Date();
  const signed = await signRequest(
    {
      method: 'PUT',
      endpoint,
      path: `/${bucket}/${key}`,
      headers: {
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(decodedLength),
        'transfer-encoding': 'chunked',
      },
    },
    { payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signingDate },
  );
  const authorization = signed.headers!.authorization!;
  const seed = /Signature=([0-9a-f]{64})/.exec(authorization)![1]!;
  const amzDate = signed.headers!['x-amz-date']!;
  const scope = `${amzDate.slice(0, 8)}/us-east-1/s3/aws4_request`;
  const hmac = (key: Buffer | string, text: string) =>
    createHmac('sha256', key).update(text).digest();
  const key1 = hmac(`AWS4${CREDENTIALS.secretAccessKey}`, amzDate.slice(0, 8));
  const signingKey = hmac(hmac(hmac(key1, 'us-east-1'), 's3'), 'aws4_request');
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  let previous = seed;
  const parts: Buffer[] = [];
  for (const [index, chunk] of [...chunks, Buffer.alloc(0)].entries()) {
    previous = hmac(
      signingKey,
      ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha(Buffer.alloc(0)), sha(chunk)].join(
        '\n',
      ),
    ).toString('hex');
    const sent = index === forge ? Buffer.from(chunk.toString().toUpperCase()) : chunk;
    parts.push(
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`),
      sent,
      Buffer.from('\r\n'),
    );
  }
  return send({ ...signed, body: Buffer.concat(parts), agent });
}

describe('names', () => {
  test('path-traversal keys are refused with 400 before reaching the store', async () => {
    const bucket = await newBucket();
    for (const rawKey of [
      '../escape.txt',
      'a/../../escape.txt',
      '%2E%2E/escape.txt',
      'a/./b',
      '%2Fabs',
    ]) {
      const response = await signedPut(bucket, rawKey, Buffer.from('x'));
      assert.equal(response.status, 400, rawKey);
      assert.equal(errorCode(response.text), 'InvalidObjectName', rawKey);
    }
    const sdk = await sdkFailure(
      s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: '../escape.txt', Body: 'x' })),
    );
    assert.equal(sdk.status, 400);
    assert.deepEqual(await keysOf(bucket), []);
  });

  test('a bad bucket name is InvalidBucketName (400)', async () => {
    for (const name of ['Upper_Case', 'ab', '192.168.1.1']) {
      const request = await signRequest({ method: 'PUT', endpoint: s3.url, path: `/${name}` });
      const response = await send(request);
      assert.deepEqual(
        [response.status, errorCode(response.text)],
        [400, 'InvalidBucketName'],
        name,
      );
    }
  });

  test('a method S3 does not have is 405 MethodNotAllowed as XML', async () => {
    const response = await fetch(`${s3.url}/bucket/key`, { method: 'PATCH', body: 'x' });
    assert.equal(response.status, 405);
    assert.equal(errorCode(await response.text()), 'MethodNotAllowed');
    assert.ok(response.headers.get('x-amz-request-id'));
  });
});

describe('configuration', () => {
  test('no keys, empty keys, or a port in use are refused at start with the variable named', async () => {
    await assert.rejects(buildS3Gateway({ store: s3.store, credentials: [] }), {
      code: 'EY_CONFIG',
    });
    await assert.rejects(
      buildS3Gateway({ store: s3.store, credentials: [{ accessKeyId: 'k', secretAccessKey: '' }] }),
      { code: 'EY_CONFIG' },
    );
    const port = Number(new URL(s3.url).port);
    await assert.rejects(
      startS3Gateway({ store: s3.store, credentials: [CREDENTIALS], host: '127.0.0.1', port }),
      (error: Error & { code?: string; details?: { path?: string } }) =>
        error.code === 'EY_CONFIG' && error.details?.path === 'EVENTYARD_S3_PORT',
    );
  });
});

/**
 * Every supported operation, round trip, with the real AWS SDK against the
 * endpoint over the embedded store: what a user of `@aws-sdk/client-s3`
 * configured for MinIO does.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns';
import { Agent } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { uniqueName } from '../../support/names.ts';
import { type S3Fixture, startS3Fixture } from './s3-fixture.ts';

let s3: S3Fixture;
let client: S3Client;

before(async () => {
  s3 = await startS3Fixture();
  client = s3.client;
});
after(async () => {
  await s3.close();
});

async function newBucket(prefix = 'ops'): Promise<string> {
  const bucket = uniqueName(prefix);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function bodyOf(bucket: string, key: string, range?: string) {
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }));
  return { got, body: Buffer.from(await got.Body!.transformToByteArray()) };
}

/** The S3 error the SDK raised: its code (the exception's name) and HTTP status. */
async function s3Failure(
  promise: Promise<unknown>,
): Promise<{ code: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, `an S3 error, got ${String(error)}`);
    return { code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
  }
  assert.fail('expected the request to fail');
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

describe('buckets', () => {
  test('create, list, head, refuse a second create, delete', async () => {
    const bucket = await newBucket();
    const listed = await client.send(new ListBucketsCommand({}));
    assert.ok(listed.Buckets?.some((b) => b.Name === bucket && b.CreationDate instanceof Date));
    const head = await client.send(new HeadBucketCommand({ Bucket: bucket }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    assert.deepEqual(await s3Failure(client.send(new CreateBucketCommand({ Bucket: bucket }))), {
      code: 'BucketAlreadyOwnedByYou',
      status: 409,
      message: `bucket ${bucket} exists`,
    });
    const location = await client.send(new GetBucketLocationCommand({ Bucket: bucket }));
    assert.equal(location.LocationConstraint, undefined, 'us-east-1 is the empty constraint');
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    const after = await client.send(new ListBucketsCommand({}));
    assert.ok(!after.Buckets?.some((b) => b.Name === bucket));
    const missing = await s3Failure(client.send(new HeadBucketCommand({ Bucket: bucket })));
    assert.equal(missing.status, 404);
  });

  test('a bucket with objects is not deleted (BucketNotEmpty)', async () => {
    const bucket = await newBucket();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }));
    const failure = await s3Failure(client.send(new DeleteBucketCommand({ Bucket: bucket })));
    assert.equal(failure.code, 'BucketNotEmpty');
    assert.equal(failure.status, 409);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  test('operations on a missing bucket are NoSuchBucket', async () => {
    const failure = await s3Failure(
      client.send(new PutObjectCommand({ Bucket: uniqueName('absent'), Key: 'k', Body: 'x' })),
    );
    assert.equal(failure.code, 'NoSuchBucket');
    assert.equal(failure.status, 404);
  });
});

describe('objects', () => {
  test('PutObject from a Buffer; HeadObject and GetObject return content, type and metadata', async () => {
    const bucket = await newBucket();
    const data = randomBytes(10_000);
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'photos/cat.jpg',
        Body: data,
        ContentType: 'image/jpeg',
        Metadata: { owner: 'alice', 'camera-model': 'X100' },
      }),
    );
    assert.equal(put.ETag, `"${md5(data)}"`);
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'photos/cat.jpg' }),
    );
    assert.equal(head.ContentLength, 10_000);
    assert.equal(head.ContentType, 'image/jpeg');
    assert.equal(head.ETag, `"${md5(data)}"`);
    assert.deepEqual(head.Metadata, { owner: 'alice', 'camera-model': 'X100' });
    assert.ok(head.LastModified instanceof Date);
    assert.ok(Math.abs(head.LastModified.getTime() - Date.now()) < 60_000);
    assert.equal(head.AcceptRanges, 'bytes');
    const { got, body } = await bodyOf(bucket, 'photos/cat.jpg');
    assert.deepEqual(body, data);
    assert.equal(got.ContentType, 'image/jpeg');
    assert.equal(got.Metadata?.owner, 'alice');
  });

  test('PutObject from a stream (aws-chunked with a CRC32 trailer) stores every byte', async () => {
    const bucket = await newBucket();
    const parts = Array.from({ length: 40 }, (_, i) => randomBytes(30_000 + i));
    const data = Buffer.concat(parts);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'big.bin',
        Body: Readable.from(parts),
        ContentLength: data.length,
      }),
    );
    const { body } = await bodyOf(bucket, 'big.bin');
    assert.equal(md5(body), md5(data));
  });

  test('every checksum algorithm the SDK offers verifies, in a header and in a trailer', async () => {
    const bucket = await newBucket();
    const data = randomBytes(5000);
    for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `h-${algorithm}`,
          Body: data,
          ChecksumAlgorithm: algorithm,
        }),
      );
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `t-${algorithm}`,
          Body: Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
          ContentLength: data.length,
          ChecksumAlgorithm: algorithm,
        }),
      );
      assert.deepEqual((await bodyOf(bucket, `t-${algorithm}`)).body, data, algorithm);
    }
  });

  test('a wrong checksum or Content-MD5 is BadDigest and stores nothing', async () => {
    const bucket = await newBucket();
    const wrongCrc = await s3Failure(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'crc',
          Body: 'payload',
          ChecksumCRC32: 'AAAAAA==',
        }),
      ),
    );
    assert.equal(wrongCrc.code, 'BadDigest');
    const wrongMd5 = await s3Failure(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'md5',
          Body: 'payload',
          ContentMD5: createHash('md5').update('other').digest('base64'),
        }),
      ),
    );
    assert.equal(wrongMd5.code, 'BadDigest');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.equal(listed.KeyCount, 0);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'md5',
        Body: 'payload',
        ContentMD5: createHash('md5').update('payload').digest('base64'),
      }),
    );
  });

  test('GetObject ranges: a-b, a-, -n give 206 with Content-Range; past the end is 416', async () => {
    const bucket = await newBucket();
    const data = Buffer.from('0123456789abcdefghij');
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'r', Body: data }));
    const cases: Array<[string, string, string]> = [
      ['bytes=0-4', '01234', 'bytes 0-4/20'],
      ['bytes=15-', 'fghij', 'bytes 15-19/20'],
      ['bytes=-3', 'hij', 'bytes 17-19/20'],
      ['bytes=18-99', 'ij', 'bytes 18-19/20'],
    ];
    for (const [range, expected, contentRange] of cases) {
      const { got, body } = await bodyOf(bucket, 'r', range);
      assert.equal(body.toString(), expected, range);
      assert.equal(got.ContentRange, contentRange, range);
      assert.equal(got.ContentLength, expected.length);
      assert.equal(got.$metadata.httpStatusCode, 206);
    }
    const failure = await s3Failure(bodyOf(bucket, 'r', 'bytes=20-'));
    assert.equal(failure.code, 'InvalidRange');
    assert.equal(failure.status, 416);
  });

  test('DeleteObject answers 204, then the key is NoSuchKey; deleting it again succeeds', async () => {
    const bucket = await newBucket();
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'gone', Body: 'x' }));
    const deleted = await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    const failure = await s3Failure(bodyOf(bucket, 'gone'));
    assert.deepEqual([failure.code, failure.status], ['NoSuchKey', 404]);
    const head = await s3Failure(
      client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'gone' })),
    );
    assert.equal(head.status, 404);
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }));
  });

  test('keys with spaces, plus, percent, unicode and reserved characters round trip', async () => {
    const bucket = await newBucket();
    const keys = [
      'dir/sub dir/a+b.txt',
      '100% done?.txt',
      'ünï/日本/😀#frag&x=y;z.txt',
      "q'(x)*!~.txt",
    ];
    for (const key of keys) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      assert.equal((await bodyOf(bucket, key)).body.toString(), key);
    }
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key).sort(), [...keys].sort());
  });
});

describe('listing', () => {
  test('ListObjectsV2 pages with MaxKeys and continuation tokens, in key order', async () => {
    const bucket = await newBucket('list');
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    for (const key of [...keys].reverse()) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const seen: string[] = [];
    const pageSizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3, ContinuationToken: token }),
      );
      pageSizes.push(page.KeyCount ?? -1);
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      assert.equal(page.IsTruncated, page.NextContinuationToken !== undefined);
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual(seen, keys);
    assert.deepEqual(pageSizes, [3, 3, 1]);
    const afterC = await client.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'c' }));
    assert.deepEqual(
      afterC.Contents?.map((c) => c.Key),
      ['d', 'e', 'f', 'g'],
    );
    const first = afterC.Contents![0]!;
    assert.equal(first.Size, 1);
    assert.equal(first.ETag, `"${md5(Buffer.from('d'))}"`);
  });

  test('Delimiter rolls keys up into CommonPrefixes; Prefix narrows', async () => {
    const bucket = await newBucket('list');
    for (const key of ['a/1', 'a/2', 'b/x/1', 'c', 'd']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const top = await client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    assert.deepEqual(
      top.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'b/'],
    );
    assert.deepEqual(
      top.Contents?.map((c) => c.Key),
      ['c', 'd'],
    );
    assert.equal(top.KeyCount, 4);
    const paged = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/', MaxKeys: 2 }),
    );
    assert.deepEqual(
      paged.CommonPrefixes?.map((p) => p.Prefix),
      ['a/', 'b/'],
    );
    assert.equal(paged.IsTruncated, true);
    const rest = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Delimiter: '/',
        ContinuationToken: paged.NextContinuationToken,
      }),
    );
    assert.deepEqual(
      rest.Contents?.map((c) => c.Key),
      ['c', 'd'],
    );
    const inA = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/' }));
    assert.deepEqual(
      inA.Contents?.map((c) => c.Key),
      ['a/1', 'a/2'],
    );
    assert.equal(inA.Prefix, 'a/');
  });

  test('encoding-type=url encodes keys and prefixes; ListObjects (v1) works with markers', async () => {
    const bucket = await newBucket('list');
    for (const key of ['sp ace/ü.txt', 'z']) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const encoded = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, EncodingType: 'url', Delimiter: '/' }),
    );
    assert.equal(encoded.EncodingType, 'url');
    assert.deepEqual(
      encoded.CommonPrefixes?.map((p) => p.Prefix),
      ['sp%20ace/'],
    );
    const v1 = await client.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 1 }));
    assert.deepEqual(
      v1.Contents?.map((c) => c.Key),
      ['sp ace/ü.txt'],
    );
    assert.equal(v1.IsTruncated, true);
    const v1next = await client.send(
      new ListObjectsCommand({ Bucket: bucket, Marker: v1.NextMarker ?? v1.Contents![0]!.Key }),
    );
    assert.deepEqual(
      v1next.Contents?.map((c) => c.Key),
      ['z'],
    );
    assert.equal(v1next.IsTruncated, false);
  });

  test('a forged continuation token is InvalidArgument', async () => {
    const bucket = await newBucket('list');
    const failure = await s3Failure(
      client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: '!!not-ours' })),
    );
    assert.deepEqual([failure.code, failure.status], ['InvalidArgument', 400]);
  });
});

describe('presigned URLs and virtual-host style', () => {
  test('a presigned PUT and GET work with plain fetch', async () => {
    const bucket = await newBucket('presign');
    const putUrl = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: 'up/file.txt' }),
      {
        expiresIn: 300,
      },
    );
    const put = await fetch(putUrl, { method: 'PUT', body: 'sent with fetch' });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal(put.headers.get('etag'), `"${md5(Buffer.from('sent with fetch'))}"`);
    assert.match(put.headers.get('x-amz-request-id') ?? '', /^[0-9A-F]{16}$/);
    const getUrl = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: 'up/file.txt' }),
      {
        expiresIn: 300,
      },
    );
    const got = await fetch(getUrl);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'sent with fetch');
    const ranged = await fetch(getUrl, { headers: { range: 'bytes=5-8' } });
    assert.equal(ranged.status, 206);
    assert.equal(await ranged.text(), 'with');
  });

  test('virtual-host style (bucket.localhost) with the SDK', async () => {
    const bucket = await newBucket('vhost');
    // *.localhost is loopback (RFC 6761); the resolver here may not know it, so the agent does.
    const agent = new Agent({
      keepAlive: true,
      lookup: (_host, options, callback) => lookup('127.0.0.1', options, callback),
    });
    const port = new URL(s3.url).port;
    const vhost = s3.clientWith({
      endpoint: `http://localhost:${port}`,
      forcePathStyle: false,
      requestHandler: new NodeHttpHandler({ httpAgent: agent }),
    });
    const seenHosts: string[] = [];
    vhost.middlewareStack.add(
      (next) => async (args) => {
        seenHosts.push((args.request as { hostname?: string }).hostname ?? '');
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    try {
      await vhost.send(new PutObjectCommand({ Bucket: bucket, Key: 'v/key.txt', Body: 'virtual' }));
      const got = await vhost.send(new GetObjectCommand({ Bucket: bucket, Key: 'v/key.txt' }));
      assert.equal(await got.Body!.transformToString(), 'virtual');
      const listed = await vhost.send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.deepEqual(
        listed.Contents?.map((c) => c.Key),
        ['v/key.txt'],
      );
      assert.ok(
        seenHosts.every((host) => host === `${bucket}.localhost`),
        seenHosts.join(),
      );
    } finally {
      agent.destroy();
    }
  });
});

describe('not implemented', () => {
  test('multipart upload and ACLs are NotImplemented (501), naming the operation', async () => {
    const bucket = await newBucket();
    const multipart = await s3Failure(
      client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'm' })),
    );
    assert.deepEqual([multipart.code, multipart.status], ['NotImplemented', 501]);
    assert.match(multipart.message, /Multipart upload/);
    const acl = await s3Failure(client.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'm' })));
    assert.deepEqual([acl.code, acl.status], ['NotImplemented', 501]);
    assert.match(acl.message, /ACL/);
  });
});

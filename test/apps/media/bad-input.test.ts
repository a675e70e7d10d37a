/**
 * Bad input to the media pipeline: each gets a clear error or a dead letter
 * with its reason, and images uploaded after it still get thumbnails.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { createEvent } from '../../../src/core/envelope.ts';
import {
  emptyFile,
  photoJpeg,
  pixelBombPng,
  textFile,
  truncatedJpeg,
} from '../../fixtures/media/images.ts';
import { waitFor } from '../../support/wait.ts';
import { type MediaHost, startMediaHost } from './media-host.ts';

const LIMIT = 1024 * 1024;
let media: MediaHost;
before(async () => {
  process.env.EVENTYARD_MEDIA_MAX_UPLOAD_BYTES = String(LIMIT);
  media = await startMediaHost();
});
after(async () => {
  await media.close();
  delete process.env.EVENTYARD_MEDIA_MAX_UPLOAD_BYTES;
});

async function put(key: string, body: Buffer, contentType = 'image/jpeg') {
  await media.s3.send(
    new PutObjectCommand({ Bucket: 'images', Key: key, Body: body, ContentType: contentType }),
  );
}

async function deadLetters(topic: string) {
  return media.host.engines.broker.deadLetters.list(topic);
}

async function stillWorks(key: string) {
  await put(key, await photoJpeg({ width: 320, height: 240 }));
  const record = await media.settled(key);
  assert.equal(record.status, 'thumbnailed', `after bad input, ${key} did not get a thumbnail`);
}

test('a non-image, an empty file, a truncated JPEG and a pixel bomb fail with their reasons and are dead-lettered', async () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['notes.jpg', textFile(), /not-an-image/],
    ['empty.jpg', emptyFile(), /not-an-image: file is empty/],
    ['cut.jpg', await truncatedJpeg(), /truncated/],
    ['bomb.png', pixelBombPng(), /too-many-pixels: image has 400,000,000 pixels/],
  ];
  for (const [key, body] of cases)
    await put(key, body, key.endsWith('.png') ? 'image/png' : 'image/jpeg');
  for (const [key, , reason] of cases) {
    const record = await media.settled(key);
    assert.equal(record.status, 'failed', key);
    assert.match(record.error ?? '', reason, key);
    assert.equal(record.thumbnailUrl, null);
  }
  const letters = await waitFor('dead letters', async () => {
    const list = await deadLetters('thumbnails-event');
    return list.length >= cases.length ? list : undefined;
  });
  assert.equal(letters.length, cases.length);
  for (const letter of letters) {
    assert.equal(letter.group, 'media.thumbnailer');
    assert.equal(letter.code, 'EY_PERMANENT');
    assert.equal(letter.attempts, 1, 'a permanent failure is not retried');
  }
  const bomb = await media.settled('bomb.png');
  assert.deepEqual(
    [bomb.width, bomb.height],
    [20_000, 20_000],
    'the bomb is indexed with its declared size',
  );
  await stillWorks('after-bad-images.jpg');
});

test('a wrong SigV4 signature gets S3 403 SignatureDoesNotMatch and stores nothing', async () => {
  const forger = media.s3With({ accessKeyId: 'eventyard', secretAccessKey: 'not-the-secret' });
  await assert.rejects(
    forger.send(
      new PutObjectCommand({ Bucket: 'images', Key: 'forged.jpg', Body: await photoJpeg() }),
    ),
    (error: unknown) => {
      assert.ok(error instanceof S3ServiceException);
      assert.equal(error.name, 'SignatureDoesNotMatch');
      assert.equal(error.$metadata.httpStatusCode, 403);
      return true;
    },
  );
  const listing = await media.s3.send(
    new ListObjectsV2Command({ Bucket: 'images', Prefix: 'forged' }),
  );
  assert.equal(listing.KeyCount, 0);
  await stillWorks('after-forgery.jpg');
});

test('a path-traversal key is refused with 400 and stores nothing', async () => {
  for (const key of ['../etc/passwd', 'a/../../b.jpg', '/absolute.jpg']) {
    const response = await fetch(`${media.url}/media/images?key=${encodeURIComponent(key)}`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: await photoJpeg({ width: 10, height: 10 }),
    });
    assert.equal(response.status, 400, key);
    const body = (await response.json()) as { error: { code: string; path: string } };
    assert.equal(body.error.code, 'EY_VALIDATION');
    assert.equal(body.error.path, 'key');
  }
  await assert.rejects(
    media.s3.send(
      new PutObjectCommand({ Bucket: 'images', Key: '../escape.jpg', Body: Buffer.from('x') }),
    ),
    (error: unknown) =>
      error instanceof S3ServiceException && error.$metadata.httpStatusCode === 400,
  );
  await stillWorks('after-traversal.jpg');
});

test('an oversized upload is refused with 413 and stores nothing', async () => {
  const big = Buffer.alloc(LIMIT + 1, 1);
  const declared = await fetch(`${media.url}/media/images?key=big.jpg`, {
    method: 'POST',
    headers: { 'content-type': 'image/jpeg' },
    body: big,
  });
  assert.equal(declared.status, 413);
  assert.equal(((await declared.json()) as { error: { code: string } }).error.code, 'EY_TOO_LARGE');
  const form = new FormData();
  form.append('file', new Blob([big], { type: 'image/jpeg' }), 'big-form.jpg');
  const multipart = await fetch(`${media.url}/media/images`, { method: 'POST', body: form });
  assert.equal(multipart.status, 413);
  const listing = await media.s3.send(
    new ListObjectsV2Command({ Bucket: 'images', Prefix: 'big' }),
  );
  assert.equal(listing.KeyCount, 0);
  await stillWorks('after-oversize.jpg');
});

test('a malformed bucket notification is dead-lettered with its reason; a redelivered one makes no second record', async () => {
  const broker = media.host.engines.broker;
  await broker.publish(
    'images-bucket-event',
    createEvent({ type: 'garbage', data: { hello: 'world' } }),
  );
  const [letter] = await waitFor('the dead letter', async () => {
    const list = await deadLetters('images-bucket-event');
    return list.length > 0 ? list : undefined;
  });
  assert.equal(letter!.group, 'media.indexer');
  assert.match(letter!.reason, /malformed bucket notification: EventName/);

  await put('twice.jpg', await photoJpeg({ width: 50, height: 50 }));
  await media.settled('twice.jpg');
  let original: unknown;
  for await (const stored of broker.read('images-bucket-event', { from: 'earliest' })) {
    if (stored.event.subject === 'twice.jpg') original = stored.event;
  }
  assert.ok(original, 'the notification of twice.jpg is on images-bucket-event');
  // The same event again (a redelivery), and the same notification under a new event id.
  await broker.publish('images-bucket-event', original as never);
  await broker.publish('images-bucket-event', {
    ...(original as object),
    id: 'another-id',
  } as never);
  await stillWorks('after-duplicates.jpg');
  const { body } = await media.json<{ items: unknown[] }>('/media/images?key=twice.jpg');
  assert.equal(body.items.length, 1);
});

/**
 * The thumbnail pipeline of seed 000 end to end, as a user runs it: uploads
 * through the S3 endpoint with @aws-sdk/client-s3 and through the plain
 * upload route, records gaining thumbnails of the configured size.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import sharp, { type Metadata } from 'sharp';
import type { ImageRecord } from '../../../src/apps/media/image-record.ts';
import { alphaPng, orientedJpeg, photoJpeg } from '../../fixtures/media/images.ts';
import { type MediaHost, startMediaHost } from './media-host.ts';

let media: MediaHost;
before(async () => {
  media = await startMediaHost();
});
after(() => media.close());

async function thumbnailOf(record: ImageRecord): Promise<Metadata> {
  assert.equal(record.status, 'thumbnailed', `record failed: ${record.error}`);
  assert.ok(record.thumbnailUrl?.startsWith(media.url), `thumbnailUrl ${record.thumbnailUrl}`);
  const response = await fetch(record.thumbnailUrl!);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'image/webp');
  return sharp(Buffer.from(await response.arrayBuffer())).metadata();
}

describe('uploads through the S3 endpoint', () => {
  test('a JPEG and a PNG each get a record with a thumbnail of the configured size', async () => {
    const jpeg = await photoJpeg({ width: 1600, height: 1200 });
    const png = await alphaPng(300, 200);
    await media.s3.send(
      new PutObjectCommand({
        Bucket: 'images',
        Key: 'photos/cat 1.jpg',
        Body: jpeg,
        ContentType: 'image/jpeg',
      }),
    );
    await media.s3.send(
      new PutObjectCommand({
        Bucket: 'images',
        Key: 'logo.png',
        Body: png,
        ContentType: 'image/png',
      }),
    );
    const photo = await media.settled('photos/cat 1.jpg');
    assert.equal(photo.bucket, 'images');
    assert.equal(photo.size, jpeg.length);
    assert.equal(photo.contentType, 'image/jpeg');
    assert.deepEqual([photo.width, photo.height], [1600, 1200]);
    assert.match(photo.etag, /^[0-9a-f]{32}$/);
    const thumb = await thumbnailOf(photo);
    assert.deepEqual([thumb.format, thumb.width, thumb.height], ['webp', 256, 192]);

    const logo = await media.settled('logo.png');
    const logoThumb = await thumbnailOf(logo);
    assert.deepEqual([logoThumb.width, logoThumb.height, logoThumb.hasAlpha], [256, 171, true]);
  });

  test('EXIF orientation is honoured: a rotated JPEG gets an upright thumbnail', async () => {
    await media.s3.send(
      new PutObjectCommand({
        Bucket: 'images',
        Key: 'rotated.jpg',
        Body: await orientedJpeg({ orientation: 6, width: 400, height: 200 }),
        ContentType: 'image/jpeg',
      }),
    );
    const record = await media.settled('rotated.jpg');
    assert.deepEqual([record.width, record.height], [200, 400]);
    const thumb = await thumbnailOf(record);
    assert.deepEqual([thumb.width, thumb.height], [128, 256]);
  });
});

describe('uploads through the plain upload route', () => {
  test('a raw body (curl --data-binary) becomes a record with a thumbnail', async () => {
    const body = await photoJpeg({ width: 640, height: 480 });
    const response = await fetch(`${media.url}/media/images?key=raw%20upload.jpg`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body,
    });
    assert.equal(response.status, 201);
    const stored = (await response.json()) as { key: string; size: number; records: string };
    assert.equal(stored.key, 'raw upload.jpg');
    assert.equal(stored.size, body.length);
    const thumb = await thumbnailOf(await media.settled('raw upload.jpg'));
    assert.deepEqual([thumb.width, thumb.height], [256, 192]);
    const listed = await media.json<{ items: ImageRecord[] }>(stored.records);
    assert.equal(listed.body.items.length, 1);
  });

  test('a browser form upload (multipart/form-data) becomes a record with a thumbnail', async () => {
    const form = new FormData();
    form.append('file', new Blob([await alphaPng(120, 80)], { type: 'image/png' }), 'form.png');
    const response = await fetch(`${media.url}/media/images`, { method: 'POST', body: form });
    assert.equal(response.status, 201);
    const { key } = (await response.json()) as { key: string };
    assert.equal(key, 'form.png');
    const thumb = await thumbnailOf(await media.settled('form.png'));
    assert.deepEqual([thumb.width, thumb.height], [120, 80], 'small images are not enlarged');
  });

  test('the original is served back byte for byte', async () => {
    const body = await photoJpeg({ width: 100, height: 100 });
    await fetch(`${media.url}/media/images?key=original.jpg`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body,
    });
    const record = await media.settled('original.jpg');
    const response = await fetch(`${media.url}/media/images/${record.id}/original`);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), body);
  });
});

describe('the records API', () => {
  test('lists records in pages with a cursor, and reads one', async () => {
    const first = await media.json<{ items: ImageRecord[]; next: string | null }>(
      '/media/images?limit=2',
    );
    assert.equal(first.status, 200);
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.next);
    const second = await media.json<{ items: ImageRecord[] }>(
      `/media/images?limit=2&next=${first.body.next}`,
    );
    assert.ok(second.body.items.length > 0);
    assert.ok(!second.body.items.some((r) => first.body.items.some((f) => f.id === r.id)));
    const one = await media.json<ImageRecord>(`/media/images/${first.body.items[0]!.id}`);
    assert.deepEqual(one.body, first.body.items[0]);
  });

  test('errors come in one machine-readable shape', async () => {
    const missing = await media.json<{ error: { code: string } }>('/media/images/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'EY_NOT_FOUND');
    const badLimit = await media.json<{ error: { code: string } }>('/media/images?limit=1000');
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.body.error.code, 'EY_VALIDATION');
    const badCursor = await media.json<{ error: { code: string; path: string } }>(
      '/media/images?next=zzz',
    );
    assert.equal(badCursor.status, 400);
    assert.equal(badCursor.body.error.path, 'next');
    const badStatus = await media.json('/media/images?status=lost');
    assert.equal(badStatus.status, 400);
  });

  test('the OpenAPI document is served and is a valid OpenAPI 3.1 document', async () => {
    const { Validator } = await import('@seriousme/openapi-schema-validator');
    const { status, body } = await media.json<Record<string, unknown>>('/media/openapi.json');
    assert.equal(status, 200);
    const result = await new Validator().validate(body);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    assert.ok((body.paths as Record<string, unknown>)['/media/images/{id}']);
  });
});

/**
 * makeThumbnail: size and format per options, EXIF orientation honoured,
 * transparency kept where the format has it, small images not enlarged,
 * metadata stripped. Every thumbnail is decoded again with sharp to check.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { makeThumbnail } from '../../../src/apps/image/thumbnail.ts';
import { alphaPng, BLUE, orientedJpeg, photoJpeg, RED } from '../../fixtures/media/images.ts';

/** The RGBA pixel at (x, y) of an encoded image. */
async function pixelAt(image: Buffer, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(image)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * info.channels;
  return [...data.subarray(at, at + 4)];
}

function near(actual: number[], expected: { r: number; g: number; b: number }, what: string) {
  const [r, g, b] = actual as [number, number, number];
  const off = Math.max(
    Math.abs(r - expected.r),
    Math.abs(g - expected.g),
    Math.abs(b - expected.b),
  );
  assert.ok(
    off < 40,
    `${what}: got rgb(${r}, ${g}, ${b}), want rgb(${expected.r}, ${expected.g}, ${expected.b})`,
  );
}

test('defaults: a 1600x1200 photo becomes a 256x192 webp', async () => {
  const thumbnail = await makeThumbnail(await photoJpeg());
  assert.equal(thumbnail.format, 'webp');
  assert.equal(thumbnail.contentType, 'image/webp');
  assert.deepEqual([thumbnail.width, thumbnail.height], [256, 192]);
  const decoded = await sharp(thumbnail.data).metadata();
  assert.deepEqual([decoded.format, decoded.width, decoded.height], ['webp', 256, 192]);
});

test('each output format comes out at the box size with fit cover', async () => {
  const photo = await photoJpeg({ width: 800, height: 600 });
  const cases = [
    { format: 'webp', decodedAs: 'webp', contentType: 'image/webp' },
    { format: 'jpeg', decodedAs: 'jpeg', contentType: 'image/jpeg' },
    { format: 'png', decodedAs: 'png', contentType: 'image/png' },
    { format: 'avif', decodedAs: 'heif', contentType: 'image/avif' },
  ] as const;
  for (const { format, decodedAs, contentType } of cases) {
    const thumbnail = await makeThumbnail(photo, { width: 120, height: 80, fit: 'cover', format });
    const decoded = await sharp(thumbnail.data).metadata();
    assert.deepEqual(
      [decoded.format, decoded.width, decoded.height],
      [decodedAs, 120, 80],
      `${format} thumbnail`,
    );
    assert.equal(thumbnail.contentType, contentType);
    assert.deepEqual([thumbnail.width, thumbnail.height], [120, 80]);
  }
});

test('fit inside keeps the aspect ratio within the box; fill stretches to it', async () => {
  const photo = await photoJpeg({ width: 800, height: 600 });
  const inside = await makeThumbnail(photo, { width: 100, height: 100, fit: 'inside' });
  assert.deepEqual([inside.width, inside.height], [100, 75]);
  const fill = await makeThumbnail(photo, { width: 100, height: 100, fit: 'fill' });
  assert.deepEqual([fill.width, fill.height], [100, 100]);
  const outside = await makeThumbnail(photo, { width: 100, height: 100, fit: 'outside' });
  assert.deepEqual([outside.width, outside.height], [133, 100]);
});

test('EXIF orientation 6: a 400x200 stored image gives a portrait thumbnail, turned clockwise', async () => {
  const thumbnail = await makeThumbnail(await orientedJpeg({ orientation: 6 }), { format: 'png' });
  assert.deepEqual([thumbnail.width, thumbnail.height], [128, 256]);
  // The stored left half (red) is on top once turned 90° clockwise.
  near(await pixelAt(thumbnail.data, 64, 20), RED, 'top');
  near(await pixelAt(thumbnail.data, 64, 236), BLUE, 'bottom');
});

test('EXIF orientation 8 turns the other way, 3 turns half round', async () => {
  const eight = await makeThumbnail(await orientedJpeg({ orientation: 8 }), { format: 'png' });
  assert.deepEqual([eight.width, eight.height], [128, 256]);
  near(await pixelAt(eight.data, 64, 20), BLUE, 'orientation 8, top');
  near(await pixelAt(eight.data, 64, 236), RED, 'orientation 8, bottom');
  const three = await makeThumbnail(await orientedJpeg({ orientation: 3 }), { format: 'png' });
  assert.deepEqual([three.width, three.height], [256, 128]);
  near(await pixelAt(three.data, 20, 64), BLUE, 'orientation 3, left');
  near(await pixelAt(three.data, 236, 64), RED, 'orientation 3, right');
});

test('metadata is stripped: no EXIF, no orientation tag left to apply twice', async () => {
  const original = await orientedJpeg({ orientation: 6 });
  assert.ok((await sharp(original).metadata()).exif, 'the fixture carries EXIF');
  const thumbnail = await makeThumbnail(original, { format: 'jpeg' });
  const decoded = await sharp(thumbnail.data).metadata();
  assert.equal(decoded.exif, undefined);
  assert.equal(decoded.orientation, undefined);
  assert.deepEqual([decoded.width, decoded.height], [128, 256]);
});

test('PNG transparency is kept in webp and png thumbnails', async () => {
  const original = await alphaPng(300, 200);
  for (const format of ['webp', 'png'] as const) {
    const thumbnail = await makeThumbnail(original, { format, width: 150, height: 150 });
    assert.deepEqual([thumbnail.width, thumbnail.height], [150, 100]);
    assert.equal((await sharp(thumbnail.data).metadata()).hasAlpha, true, `${format} has alpha`);
    assert.equal((await pixelAt(thumbnail.data, 20, 50))[3], 255, `${format}: left half opaque`);
    assert.equal(
      (await pixelAt(thumbnail.data, 130, 50))[3],
      0,
      `${format}: right half transparent`,
    );
  }
});

test('a jpeg thumbnail of a transparent PNG is flattened onto white', async () => {
  const thumbnail = await makeThumbnail(await alphaPng(300, 200), { format: 'jpeg' });
  assert.equal((await sharp(thumbnail.data).metadata()).hasAlpha, false);
  near(await pixelAt(thumbnail.data, 230, 50), { r: 255, g: 255, b: 255 }, 'transparent half');
  near(await pixelAt(thumbnail.data, 20, 50), { r: 0, g: 200, b: 0 }, 'opaque half');
});

test('an image smaller than the box is not enlarged', async () => {
  const small = await photoJpeg({ width: 100, height: 50 });
  for (const fit of ['inside', 'cover', 'fill', 'outside'] as const) {
    const thumbnail = await makeThumbnail(small, { width: 256, height: 256, fit });
    const decoded = await sharp(thumbnail.data).metadata();
    assert.deepEqual([decoded.width, decoded.height], [100, 50], `fit ${fit}`);
  }
});

test('quality is honoured: a lower quality makes a smaller file', async () => {
  const photo = await photoJpeg({ width: 800, height: 600 });
  for (const format of ['webp', 'jpeg'] as const) {
    const low = await makeThumbnail(photo, { format, quality: 10 });
    const high = await makeThumbnail(photo, { format, quality: 95 });
    assert.ok(
      low.data.length < high.data.length * 0.8,
      `${format}: quality 10 is ${low.data.length} bytes, quality 95 is ${high.data.length}`,
    );
  }
});

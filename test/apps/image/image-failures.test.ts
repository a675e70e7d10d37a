/**
 * The bytes that cannot make a thumbnail: each gives an ImageError (a
 * PermanentError, so the event is dead-lettered at once) with its stable
 * reason and a message a user can read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { ImageError, imageErrorOf } from '../../../src/apps/image/image-error.ts';
import { probeImage } from '../../../src/apps/image/probe.ts';
import { makeThumbnail } from '../../../src/apps/image/thumbnail.ts';
import { describeError, PermanentError } from '../../../src/core/errors.ts';
import {
  alphaPng,
  emptyFile,
  photoJpeg,
  pixelBombPng,
  textFile,
  truncatedJpeg,
} from '../../fixtures/media/images.ts';

async function failureOf(work: () => Promise<unknown>): Promise<ImageError> {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof ImageError, `expected an ImageError, got ${describeError(error)}`);
    assert.ok(error instanceof PermanentError, 'an ImageError is a PermanentError');
    assert.equal(error.code, 'EY_PERMANENT');
    assert.equal(error.toJSON().reason, error.reason, 'the reason is in the JSON form');
    return error;
  }
  assert.fail('expected the image to be refused');
}

test('an empty file is not an image', async () => {
  for (const work of [() => probeImage(emptyFile()), () => makeThumbnail(emptyFile())]) {
    const error = await failureOf(work);
    assert.equal(error.reason, 'not-an-image');
    assert.equal(error.message, 'file is empty');
  }
});

test('a text file is not an image', async () => {
  for (const work of [() => probeImage(textFile()), () => makeThumbnail(textFile())]) {
    const error = await failureOf(work);
    assert.equal(error.reason, 'not-an-image');
    assert.equal(
      error.message,
      'file is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)',
    );
  }
});

test('SVG is refused as a format that is not accepted', async () => {
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>',
  );
  const error = await failureOf(() => makeThumbnail(svg));
  assert.equal(error.reason, 'not-an-image');
  assert.match(error.message, /^SVG files are not accepted \(accepted: JPEG, PNG/);
});

test('a truncated JPEG: the probe reads its header, the thumbnail refuses its data', async () => {
  const cut = await truncatedJpeg(0.5);
  const probe = await probeImage(cut);
  assert.deepEqual([probe.format, probe.width, probe.height], ['jpeg', 800, 600]);
  const error = await failureOf(() => makeThumbnail(cut));
  assert.equal(error.reason, 'truncated');
  assert.match(error.message, /^image data is truncated or corrupt \(.*premature end.*\)$/i);
  assert.ok(error.cause instanceof Error, 'sharp error kept as the cause');
});

test('a JPEG cut inside its header and a truncated PNG are truncated too', async () => {
  const headerOnly = (await photoJpeg({ width: 200, height: 100 })).subarray(0, 300);
  assert.equal((await failureOf(() => makeThumbnail(headerOnly))).reason, 'truncated');
  const png = await sharp(await photoJpeg({ width: 300, height: 200 }))
    .png()
    .toBuffer();
  const cutPng = png.subarray(0, Math.floor(png.length * 0.6));
  assert.equal((await failureOf(() => makeThumbnail(cutPng))).reason, 'truncated');
  // Nothing else decodes so little of a file: the same bytes whole make a thumbnail.
  assert.equal((await makeThumbnail(png)).width, 256);
});

test('a pixel bomb is refused from its header with a readable message', async () => {
  const bomb = pixelBombPng(20_000, 20_000);
  assert.ok(bomb.length < 100_000, `the bomb is small on disk (${bomb.length} bytes)`);
  const size = await probeImage(bomb);
  assert.deepEqual([size.format, size.width, size.height], ['png', 20_000, 20_000]);
  for (const work of [
    () => probeImage(bomb, { maxPixels: 50_000_000 }),
    () => makeThumbnail(bomb, { maxPixels: 50_000_000 }),
  ]) {
    const error = await failureOf(work);
    assert.equal(error.reason, 'too-many-pixels');
    assert.equal(
      error.message,
      'image has 400,000,000 pixels (20000x20000), more than the limit of 50,000,000',
    );
    assert.deepEqual(
      { pixels: error.details.pixels, maxPixels: error.details.maxPixels },
      { pixels: 400_000_000, maxPixels: 50_000_000 },
    );
  }
});

test('the bomb is refused before decoding: one cut short gets the same verdict', async () => {
  const bomb = pixelBombPng(20_000, 20_000);
  // The signature, the header and the first bytes of the image data.
  const cut = bomb.subarray(0, 200);
  const error = await failureOf(() => makeThumbnail(cut, { maxPixels: 50_000_000 }));
  assert.equal(error.reason, 'too-many-pixels');
  // Decoding it finds it truncated: so the verdict above came before decoding.
  const decoded = await failureOf(() => makeThumbnail(cut, { maxPixels: 400_000_000 }));
  assert.equal(decoded.reason, 'truncated');
  // And the whole bomb is a real image: under a high enough limit it is decoded.
  const thumbnail = await makeThumbnail(bomb, { maxPixels: 400_000_000, format: 'png' });
  assert.deepEqual([thumbnail.width, thumbnail.height], [256, 256]);
});

test('the default limit is 50,000,000 pixels', async () => {
  const error = await failureOf(() => makeThumbnail(pixelBombPng(10_000, 5_001)));
  assert.equal(error.reason, 'too-many-pixels');
  assert.match(error.message, /50,010,000 pixels .* limit of 50,000,000$/);
});

test("sharp's own pixel-limit error is classified too; errors about anything else are not", async () => {
  const sharpError = await sharp(pixelBombPng(20_000, 20_000))
    .metadata()
    .then(() => assert.fail('sharp accepted 400,000,000 pixels under its default limit'))
    .catch((error: unknown) => error);
  const classified = imageErrorOf(sharpError, 1_000);
  assert.equal(classified?.reason, 'too-many-pixels');
  assert.equal(classified?.message, 'image has more pixels than the limit of 1,000');
  assert.equal(imageErrorOf(new Error('vips_malloc: out of memory')), undefined);
  const badParameter = await Promise.resolve()
    .then(() => sharp(Buffer.alloc(1)).resize(-1))
    .catch((error: unknown) => error);
  assert.equal(imageErrorOf(badParameter), undefined);
});

test('the pipeline goes on: good images still make thumbnails after bad ones', async () => {
  const bad = [emptyFile(), textFile(), await truncatedJpeg(), pixelBombPng()];
  for (const bytes of bad) await assert.rejects(makeThumbnail(bytes), ImageError);
  const thumbnail = await makeThumbnail(await alphaPng());
  assert.equal(thumbnail.width, 256);
});

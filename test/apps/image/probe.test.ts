/**
 * probeImage: format, media type and displayed size from the header, for
 * every accepted format; orientations 5-8 swap width and height.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { probeImage } from '../../../src/apps/image/probe.ts';
import { alphaPng, orientedJpeg, photoJpeg } from '../../fixtures/media/images.ts';

test('a JPEG without orientation: its stored size, no orientation', async () => {
  const probe = await probeImage(await photoJpeg({ width: 640, height: 480 }));
  assert.deepEqual(probe, { format: 'jpeg', contentType: 'image/jpeg', width: 640, height: 480 });
});

test('orientations 5-8 report the displayed size (swapped), 1-4 the stored one', async () => {
  for (let orientation = 1; orientation <= 8; orientation++) {
    const probe = await probeImage(await orientedJpeg({ orientation, width: 400, height: 200 }));
    const expected = orientation >= 5 ? [200, 400] : [400, 200];
    assert.deepEqual([probe.width, probe.height], expected, `orientation ${orientation}`);
    assert.equal(probe.orientation, orientation);
  }
});

test('every accepted format is recognised with its media type', async () => {
  const base = sharp(await alphaPng(30, 20));
  const cases = [
    ['png', 'image/png', await base.clone().png().toBuffer()],
    ['webp', 'image/webp', await base.clone().webp().toBuffer()],
    ['gif', 'image/gif', await base.clone().gif().toBuffer()],
    ['tiff', 'image/tiff', await base.clone().tiff().toBuffer()],
    ['heif', 'image/avif', await base.clone().avif().toBuffer()],
  ] as const;
  for (const [format, contentType, bytes] of cases) {
    const probe = await probeImage(bytes);
    assert.deepEqual(
      [probe.format, probe.contentType, probe.width, probe.height],
      [format, contentType, 30, 20],
      format,
    );
  }
});

test('an image at the pixel limit passes; the limit is width x height', async () => {
  const bytes = await photoJpeg({ width: 200, height: 100 });
  const probe = await probeImage(bytes, { maxPixels: 20_000 });
  assert.deepEqual([probe.width, probe.height], [200, 100]);
  await assert.rejects(probeImage(bytes, { maxPixels: 19_999 }), { reason: 'too-many-pixels' });
});

/**
 * loadMediaConfig: defaults on a fresh machine, values from
 * EVENTYARD_MEDIA_* variables, and a refusal naming the variable for each
 * bad value or unknown name.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeMediaConfig, loadMediaConfig } from '../../../src/apps/media/media-config.ts';
import { ConfigError } from '../../../src/core/errors.ts';

test('defaults: 256x256 webp inside, quality 80, 50,000,000 pixels, 50 MiB', () => {
  assert.deepEqual(loadMediaConfig({}), {
    thumbnail: {
      width: 256,
      height: 256,
      fit: 'inside',
      format: 'webp',
      quality: 80,
      maxPixels: 50_000_000,
    },
    maxPixels: 50_000_000,
    maxUploadBytes: 52_428_800,
    concurrency: 2,
    imageNice: 10,
  });
});

test('every variable is read', () => {
  const config = loadMediaConfig({
    EVENTYARD_MEDIA_THUMBNAIL_WIDTH: '320',
    EVENTYARD_MEDIA_THUMBNAIL_HEIGHT: '180',
    EVENTYARD_MEDIA_THUMBNAIL_FIT: 'cover',
    EVENTYARD_MEDIA_THUMBNAIL_FORMAT: 'avif',
    EVENTYARD_MEDIA_THUMBNAIL_QUALITY: '55',
    EVENTYARD_MEDIA_MAX_PIXELS: '1000000',
    EVENTYARD_MEDIA_MAX_UPLOAD_BYTES: '1048576',
    EVENTYARD_MEDIA_CONCURRENCY: '6',
    EVENTYARD_MEDIA_IMAGE_NICE: '0',
    EVENTYARD_PORT: 'not the media config’s business',
  });
  assert.deepEqual(config, {
    thumbnail: {
      width: 320,
      height: 180,
      fit: 'cover',
      format: 'avif',
      quality: 55,
      maxPixels: 1_000_000,
    },
    maxPixels: 1_000_000,
    maxUploadBytes: 1_048_576,
    concurrency: 6,
    imageNice: 0,
  });
});

const BAD_VALUES: ReadonlyArray<[string, string, RegExp]> = [
  ['EVENTYARD_MEDIA_THUMBNAIL_WIDTH', '0', /must be a whole number from 1 to 16383/],
  ['EVENTYARD_MEDIA_THUMBNAIL_WIDTH', 'wide', /must be a whole number from 1 to 16383/],
  ['EVENTYARD_MEDIA_THUMBNAIL_HEIGHT', '12.5', /must be a whole number from 1 to 16383/],
  ['EVENTYARD_MEDIA_THUMBNAIL_HEIGHT', '20000', /must be a whole number from 1 to 16383/],
  [
    'EVENTYARD_MEDIA_THUMBNAIL_FIT',
    'stretch',
    /must be one of inside, cover, contain, fill, outside/,
  ],
  ['EVENTYARD_MEDIA_THUMBNAIL_FORMAT', 'gif', /must be one of webp, jpeg, png, avif/],
  ['EVENTYARD_MEDIA_THUMBNAIL_QUALITY', '0', /must be a whole number from 1 to 100/],
  ['EVENTYARD_MEDIA_THUMBNAIL_QUALITY', '101', /must be a whole number from 1 to 100/],
  ['EVENTYARD_MEDIA_MAX_PIXELS', '-5', /must be a whole number from 1 to/],
  ['EVENTYARD_MEDIA_MAX_UPLOAD_BYTES', String(6 * 1024 ** 3), /from 1 to 5368709120/],
  ['EVENTYARD_MEDIA_IMAGE_NICE', '20', /must be a whole number from 0 to 19/],
  ['EVENTYARD_MEDIA_IMAGE_NICE', '-1', /must be a whole number from 0 to 19/],
];

test('a bad value is refused with a message naming the variable and the value', () => {
  for (const [name, value, reason] of BAD_VALUES) {
    assert.throws(
      () => loadMediaConfig({ [name]: value }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `${name}=${value}: a ConfigError`);
        assert.equal(error.details.path, name);
        assert.ok(
          error.message.startsWith(`${name}=${JSON.stringify(value)} is refused: `),
          error.message,
        );
        assert.match(error.message, reason);
        return true;
      },
    );
  }
});

test('an unknown EVENTYARD_MEDIA_ variable is refused, so a misspelt name is not ignored', () => {
  assert.throws(() => loadMediaConfig({ EVENTYARD_MEDIA_THUMBNAIL_SIZE: '128' }), {
    name: 'ConfigError',
    message: 'EVENTYARD_MEDIA_THUMBNAIL_SIZE is not a known setting (see `eventyard config`)',
  });
});

test('every variable is described with its default', () => {
  const described = describeMediaConfig();
  assert.deepEqual(
    described.map((v) => [v.name, v.default]),
    [
      ['EVENTYARD_MEDIA_THUMBNAIL_WIDTH', 256],
      ['EVENTYARD_MEDIA_THUMBNAIL_HEIGHT', 256],
      ['EVENTYARD_MEDIA_THUMBNAIL_FIT', 'inside'],
      ['EVENTYARD_MEDIA_THUMBNAIL_FORMAT', 'webp'],
      ['EVENTYARD_MEDIA_THUMBNAIL_QUALITY', 80],
      ['EVENTYARD_MEDIA_MAX_PIXELS', 50_000_000],
      ['EVENTYARD_MEDIA_MAX_UPLOAD_BYTES', 52_428_800],
      ['EVENTYARD_MEDIA_CONCURRENCY', 2],
      ['EVENTYARD_MEDIA_IMAGE_NICE', 10],
    ],
  );
  for (const { name, description } of described) assert.ok(description.length > 10, name);
});

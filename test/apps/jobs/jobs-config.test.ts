/** The EVENTYARD_JOBS_* settings: defaults, values read, and refusals naming the variable. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadJobsConfig } from '../../../src/apps/jobs/jobs-config.ts';

test('defaults: 10 MiB payloads, 2 at once, 5 attempts, results fit 1024x1024 webp', () => {
  const config = loadJobsConfig({});
  assert.equal(config.maxPayloadBytes, 10 * 1024 * 1024);
  assert.equal(config.concurrency, 2);
  assert.deepEqual(config.imagePriority, { nice: 10, idle: true });
  assert.equal(config.attempts, 5);
  assert.deepEqual(config.defaultOperation, {
    width: 1024,
    height: 1024,
    fit: 'inside',
    format: 'webp',
    quality: 80,
  });
});

test('values are read from the environment', () => {
  const config = loadJobsConfig({
    EVENTYARD_JOBS_MAX_PAYLOAD_BYTES: '2048',
    EVENTYARD_JOBS_CONCURRENCY: '8',
    EVENTYARD_JOBS_IMAGE_NICE: '19',
    EVENTYARD_JOBS_IMAGE_IDLE: 'no',
    EVENTYARD_JOBS_ATTEMPTS: '3',
    EVENTYARD_JOBS_MAX_PIXELS: '1000',
    EVENTYARD_JOBS_DEFAULT_WIDTH: '64',
    EVENTYARD_JOBS_DEFAULT_HEIGHT: '32',
    EVENTYARD_JOBS_DEFAULT_FORMAT: 'png',
    PATH: '/bin',
  });
  assert.deepEqual(
    [
      config.maxPayloadBytes,
      config.concurrency,
      config.imagePriority,
      config.attempts,
      config.maxPixels,
    ],
    [2048, 8, { nice: 19, idle: false }, 3, 1000],
  );
  assert.deepEqual(
    [config.defaultOperation.width, config.defaultOperation.height, config.defaultOperation.format],
    [64, 32, 'png'],
  );
});

test('a bad value or an unknown EVENTYARD_JOBS_ name is refused, naming the variable', () => {
  for (const [name, value] of [
    ['EVENTYARD_JOBS_MAX_PAYLOAD_BYTES', '0'],
    ['EVENTYARD_JOBS_CONCURRENCY', 'many'],
    ['EVENTYARD_JOBS_ATTEMPTS', '1.5'],
    ['EVENTYARD_JOBS_IMAGE_NICE', '20'],
    ['EVENTYARD_JOBS_IMAGE_IDLE', 'maybe'],
    ['EVENTYARD_JOBS_DEFAULT_FORMAT', 'bmp'],
    ['EVENTYARD_JOBS_WIDTH', '10'],
  ] as const) {
    assert.throws(
      () => loadJobsConfig({ [name]: value }),
      { code: 'EY_CONFIG', details: { path: name } },
      name,
    );
  }
});

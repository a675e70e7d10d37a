import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.ts';
import { defineApp } from '../../src/runtime/service.ts';
import { selectServices } from '../../src/runtime/service-selection.ts';

const media = defineApp({
  name: 'media',
  services: [{ name: 'indexer' }, { name: 'thumbnailer' }, { name: 'api' }],
});
const jobs = defineApp({ name: 'jobs', services: [{ name: 'worker' }, { name: 'api' }] });
const apps = [media, jobs];

const ids = (names?: string[]) => selectServices(apps, names).map((entry) => entry.id);

describe('selectServices', () => {
  it('selects every service when no names are given, none for an empty list', () => {
    assert.deepEqual(ids(), [
      'media.indexer',
      'media.thumbnailer',
      'media.api',
      'jobs.worker',
      'jobs.api',
    ]);
    assert.deepEqual(ids([]), []);
  });

  it('takes an app name, app.service and unique bare names, each service once', () => {
    assert.deepEqual(ids(['jobs']), ['jobs.worker', 'jobs.api']);
    assert.deepEqual(ids(['media.api']), ['media.api']);
    assert.deepEqual(ids(['thumbnailer', 'worker', 'media.thumbnailer']), [
      'media.thumbnailer',
      'jobs.worker',
    ]);
  });

  it('refuses an unknown name, listing the known ones', () => {
    assert.throws(
      () => ids(['indexr']),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes("unknown service 'indexr'") &&
        error.message.includes('media.indexer') &&
        error.message.includes('jobs.worker') &&
        error.message.includes('media, jobs'),
    );
  });

  it('refuses a bare name two apps share, naming both full names', () => {
    assert.throws(
      () => ids(['api']),
      (error: unknown) =>
        error instanceof ConfigError && error.message.includes("'media.api' or 'jobs.api'"),
    );
  });

  it('says so when no apps are installed', () => {
    assert.throws(() => selectServices([], ['anything']), /known: none/);
  });
});

describe('defineApp', () => {
  it('refuses bad and duplicate names', () => {
    assert.throws(() => defineApp({ name: 'Media', services: [] }), ConfigError);
    assert.throws(() => defineApp({ name: 'media', services: [{ name: 'a.b' }] }), ConfigError);
    assert.throws(
      () => defineApp({ name: 'media', services: [{ name: 'api' }, { name: 'api' }] }),
      /defines service 'api' twice/,
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/core/errors.ts';
import { openEngines } from '../../src/runtime/engines.ts';
import { tempDir } from '../support/temp-dir.ts';
import { testConfig } from './test-config.ts';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const S3 = 's3://key:secret-key@127.0.0.1:9?tls=false';

async function refusal(env: Record<string, string>): Promise<ConfigError> {
  const dir = tempDir();
  try {
    let caught: unknown;
    await openEngines(testConfig(dir.path, env)).then(
      (engines) => engines.close(),
      (error: unknown) => {
        caught = error;
      },
    );
    assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
    return caught;
  } finally {
    dir.remove();
  }
}

describe('engine choice', () => {
  it('a server broker without a shared store is refused, naming EVENTYARD_STORE', async () => {
    const error = await refusal({ EVENTYARD_BROKER: 'nats://127.0.0.1:4222' });
    assert.equal(error.details.path, 'EVENTYARD_STORE');
    assert.match(error.message, /postgres:\/\//);
  });

  it('a server broker without shared objects is refused, naming EVENTYARD_OBJECTS', async () => {
    const error = await refusal({
      EVENTYARD_BROKER: 'redis://127.0.0.1:6379',
      EVENTYARD_STORE: PG,
    });
    assert.equal(error.details.path, 'EVENTYARD_OBJECTS');
    assert.match(error.message, /s3:\/\//);
  });

  it('PostgreSQL or S3 under the embedded log is refused, naming the variable', async () => {
    assert.equal((await refusal({ EVENTYARD_STORE: PG })).details.path, 'EVENTYARD_STORE');
    assert.equal((await refusal({ EVENTYARD_OBJECTS: S3 })).details.path, 'EVENTYARD_OBJECTS');
  });

  it('an unknown scheme is refused by the configuration, naming the variable', () => {
    const dir = tempDir();
    try {
      assert.throws(
        () => testConfig(dir.path, { EVENTYARD_BROKER: 'kafka://127.0.0.1:9092' }),
        /EVENTYARD_BROKER/,
      );
    } finally {
      dir.remove();
    }
  });
});

import { type Config, loadConfig } from '../../src/runtime/config.ts';

/** A host configuration for tests: its own data dir, an ephemeral port, no logs. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    EVENTYARD_DATA_DIR: dataDir,
    EVENTYARD_PORT: '0',
    EVENTYARD_LOG_LEVEL: 'silent',
    EVENTYARD_LEASE_MS: '2000',
    ...env,
  });
}

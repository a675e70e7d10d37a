/**
 * The engines a one-shot command works on: opened from the same
 * configuration as the server, so `eventyard topics` next to a running
 * `npm start` sees the same log (the embedded SQLite file in WAL mode
 * takes several processes), and always closed before the command exits.
 * The runtime is imported only here, when a command needs it: its
 * libraries take longer to load than the rest of the CLI, and --help or a
 * usage error should answer at once.
 */

import type { Config } from '../runtime/config.ts';
import type { Engines } from '../runtime/engines.ts';
import { failureLine } from './failure.ts';

/**
 * Loads the configuration (a bad value is refused before anything is
 * opened), opens the engines, runs `work`, closes them, even on failure.
 */
export async function withEngines<T>(
  work: (engines: Engines, config: Config) => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const { loadConfig } = await import('../runtime/config.ts');
  const config = loadConfig(env);
  const { openEngines } = await import('../runtime/engines.ts');
  const engines = await openEngines(config, {
    // Trouble the engine recovers from by itself: worth a note, not a failure.
    onError: (error) => process.stderr.write(`eventyard: warning: ${failureLine(error)}\n`),
  });
  try {
    await engines.broker.ready();
    return await work(engines, config);
  } finally {
    await engines.close();
  }
}

/**
 * `eventyard run <service...>`: some services in this process, e.g. one
 * per container against a shared engine.
 */
import type { Command } from 'commander';
import { examples } from '../help-text.ts';
import { runHost } from '../run-host.ts';

export function runCommand(program: Command): void {
  program
    .command('run')
    .summary('run the named services in this process')
    .description(
      'Run some services in this process, e.g. one per container against shared engines (EVENTYARD_BROKER, EVENTYARD_STORE, EVENTYARD_OBJECTS). Same HTTP server, logs and shutdown as `eventyard start`. An unknown or ambiguous name is refused, listing the known ones.',
    )
    .argument(
      '<service...>',
      "services to run: an app name (all its services), 'app.service', or a service name only one app has",
    )
    .addHelpText(
      'after',
      examples(
        'eventyard run media                      # every service of the media app',
        'eventyard run media.indexer jobs.worker',
        'EVENTYARD_PORT=8081 eventyard run thumbnailer',
      ),
    )
    .action((services: string[]) => runHost(services));
}

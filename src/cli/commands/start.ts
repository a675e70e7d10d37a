/** `eventyard start`: every app and service in this process (what `npm start` runs). */
import type { Command } from 'commander';
import { examples } from '../help-text.ts';
import { runHost } from '../run-host.ts';

export function startCommand(program: Command): void {
  program
    .command('start')
    .summary('run every app and service in this process')
    .description(
      'Run every app and service in this process: one HTTP server on EVENTYARD_HOST:EVENTYARD_PORT for the apps, the events API, /health and /metrics; engines chosen by EVENTYARD_BROKER/STORE/OBJECTS (embedded, under EVENTYARD_DATA_DIR, when unset). Logs are JSON lines on stdout. SIGTERM or Ctrl-C drains running handlers and stops; a second signal stops at once.',
    )
    .addHelpText(
      'after',
      examples(
        'eventyard start',
        'EVENTYARD_PORT=9090 EVENTYARD_DATA_DIR=/var/lib/eventyard eventyard start',
        'eventyard config   # every setting, its default and current value',
      ),
    )
    .action(() => runHost());
}

/**
 * `eventyard tail <topic>`: prints a topic's events as JSON lines, from a
 * position, and keeps following new ones until interrupted.
 */
import type { Command } from 'commander';
import { parsePosition } from '../../core/position.ts';
import { validateTopicName } from '../../core/topic.ts';
import type { StoredEvent } from '../../core/transport.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { wholeNumber } from '../option-parsers.ts';
import { shorten, writeLine } from '../output.ts';

interface TailFlags {
  readonly from: string;
  readonly follow: boolean;
  readonly limit?: number;
  readonly pretty?: boolean;
}

export function tailCommand(program: Command): void {
  program
    .command('tail')
    .summary("print a topic's events as JSON lines, following live")
    .description(
      'Print the events of a topic as JSON lines, {offset, event}, and follow new ones live until Ctrl-C',
    )
    .argument('<topic>', 'topic to read')
    .option(
      '--from <position>',
      'where to start: earliest, latest, an offset, or an ISO 8601 time',
      'latest',
    )
    .option('--no-follow', 'stop at the end of the topic instead of following it (default: follow)')
    .option('--limit <n>', 'stop after this many events (default: no limit)', wholeNumber(1))
    .option('--pretty', 'one line per event for people: offset, time, type, id, key, data')
    .addHelpText(
      'after',
      examples(
        'eventyard tail orders',
        'eventyard tail orders --from earliest --no-follow --pretty',
        'eventyard tail orders --from 2025-01-31T12:00:00Z --limit 10',
        "eventyard tail orders --from 1200 | jq '.event.data'",
      ),
    )
    .action(async (topic: string, flags: TailFlags) => {
      validateTopicName(topic);
      const from = parsePosition(flags.from);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        await withEngines(async ({ broker }) => {
          const events = broker.read(topic, {
            from,
            follow: flags.follow,
            limit: flags.limit,
            signal: stop.signal,
          });
          for await (const stored of events) {
            await writeLine(flags.pretty ? prettyLine(stored) : jsonLine(stored));
            if (stop.signal.aborted) break;
          }
        });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

function jsonLine(stored: StoredEvent): string {
  return JSON.stringify({ offset: stored.offset, event: stored.event });
}

/** `12  2025-01-31T12:00:00.000Z  shop.order.placed  <id>  key=customer-7  {"id":42}` */
export function prettyLine({ offset, event }: StoredEvent): string {
  const key = event.partitionkey === undefined ? '-' : `key=${event.partitionkey}`;
  const data = event.data === undefined ? '' : JSON.stringify(event.data);
  return [offset, event.time, event.type, event.id, key, shorten(data, 80)].join('  ');
}

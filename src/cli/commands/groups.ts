/** `eventyard groups [topic]`: consumer groups with their lag. */
import type { Command } from 'commander';
import type { GroupStats } from '../../core/broker.ts';
import { validateTopicName } from '../../core/topic.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { type Column, formatRate, writeRows } from '../output.ts';

const COLUMNS: readonly Column<GroupStats>[] = [
  { header: 'TOPIC', value: (g) => g.topic },
  { header: 'GROUP', value: (g) => g.group },
  { header: 'POSITION', value: (g) => g.position },
  { header: 'LAG', value: (g) => g.lag },
  { header: 'RATE/S', value: (g) => formatRate(g.consumeRate), align: 'right' },
  { header: 'DEAD', value: (g) => g.deadLettered },
  { header: 'ACTIVE', value: (g) => g.active },
];

export function groupsCommand(program: Command): void {
  program
    .command('groups')
    .summary('list consumer groups with lag, rates and dead letters')
    .description(
      'List consumer groups: position (next offset not yet acknowledged), lag, consume rate (events/s over the last minute), dead letters, and whether a process consumes now',
    )
    .argument('[topic]', 'only the groups of this topic (default: every topic)')
    .option('--json', 'one JSON object per group and line instead of a table')
    .addHelpText(
      'after',
      examples('eventyard groups', 'eventyard groups orders', 'eventyard groups --json'),
    )
    .action(async (topic: string | undefined, flags: { json?: boolean }) => {
      if (topic !== undefined) validateTopicName(topic);
      const groups = await withEngines(({ broker }) => broker.groups(topic));
      if (groups.length === 0 && !flags.json) {
        process.stderr.write(`No groups${topic ? ` on ${topic}` : ''} yet.\n`);
      }
      await writeRows(groups, COLUMNS, flags.json === true);
    });
}

/** `eventyard topics`: every topic with its offsets and publish rate. */
import type { Command } from 'commander';
import type { TopicInfo } from '../../core/transport.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { type Column, formatRate, writeRows } from '../output.ts';

const COLUMNS: readonly Column<TopicInfo>[] = [
  { header: 'TOPIC', value: (t) => t.topic },
  { header: 'PARTITIONS', value: (t) => t.partitions },
  { header: 'FIRST', value: (t) => t.first },
  { header: 'HEAD', value: (t) => t.head },
  { header: 'PUBLISHED', value: (t) => t.published },
  { header: 'RATE/S', value: (t) => formatRate(t.publishRate), align: 'right' },
];

export function topicsCommand(program: Command): void {
  program
    .command('topics')
    .summary('list topics with offsets and publish rate')
    .description(
      'List topics: partitions, first offset kept, head (the next offset), events published, publish rate (events/s over the last minute)',
    )
    .option('--json', 'one JSON object per topic and line instead of a table')
    .addHelpText('after', examples('eventyard topics', 'eventyard topics --json | jq .topic'))
    .action(async (flags: { json?: boolean }) => {
      const topics = await withEngines(({ broker }) => broker.topics());
      if (topics.length === 0 && !flags.json) process.stderr.write('No topics yet.\n');
      await writeRows(topics, COLUMNS, flags.json === true);
    });
}

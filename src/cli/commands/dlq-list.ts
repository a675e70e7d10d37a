/** `eventyard dlq list <topic>`: dead letters of a topic, oldest first. */
import type { Command } from 'commander';
import { validateGroupName, validateTopicName } from '../../core/topic.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { wholeNumber } from '../option-parsers.ts';
import { writeRows } from '../output.ts';
import { DEAD_LETTER_COLUMNS } from './dead-letter-columns.ts';

interface ListFlags {
  readonly group?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

export function dlqListCommand(dlq: Command): void {
  dlq
    .command('list')
    .summary("list a topic's dead letters")
    .description(
      'List the dead letters of a topic, oldest first: dead-letter offset, group, attempts, when, event id and type, reason',
    )
    .argument('<topic>', 'the topic whose dead letters to list (not the .dlq topic itself)')
    .option('--group <group>', 'only dead letters of this group (default: every group)')
    .option('--limit <n>', 'at most this many (default: all)', wholeNumber(1))
    .option('--json', 'one JSON object per dead letter and line, with the full event')
    .addHelpText(
      'after',
      examples(
        'eventyard dlq list orders',
        'eventyard dlq list orders --group billing --limit 20',
        "eventyard dlq list orders --json | jq '.event.data'",
      ),
    )
    .action(async (topic: string, flags: ListFlags) => {
      validateTopicName(topic);
      if (flags.group !== undefined) validateGroupName(flags.group);
      const letters = await withEngines(({ broker }) =>
        broker.deadLetters.list(topic, { group: flags.group, limit: flags.limit }),
      );
      if (letters.length === 0 && !flags.json) {
        process.stderr.write(
          `No dead letters on ${topic}${flags.group ? ` for ${flags.group}` : ''}.\n`,
        );
      }
      await writeRows(letters, DEAD_LETTER_COLUMNS, flags.json === true);
    });
}

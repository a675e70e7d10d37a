/**
 * `eventyard dlq replay <topic>`: publishes dead letters to their topic
 * again, each addressed to the group that gave up on it (other groups skip
 * it), and prints which ones.
 */
import type { Command } from 'commander';
import type { Broker, DeadLetter } from '../../core/broker.ts';
import { NotFoundError } from '../../core/errors.ts';
import { validateGroupName, validateTopicName } from '../../core/topic.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { wholeNumber } from '../option-parsers.ts';
import { writeLine, writeRows } from '../output.ts';
import { DEAD_LETTER_COLUMNS } from './dead-letter-columns.ts';

interface ReplayFlags {
  readonly group?: string;
  readonly id?: string[];
  readonly from?: number;
  readonly json?: boolean;
}

export function dlqReplayCommand(dlq: Command): void {
  dlq
    .command('replay')
    .summary('publish dead letters again, each for its group')
    .description(
      'Publish dead letters to their topic again, each for the group that gave up on it; prints the ones replayed. Without filters: every dead letter of the topic.',
    )
    .argument('<topic>', 'the topic whose dead letters to replay')
    .option('--group <group>', 'only dead letters of this group (default: every group)')
    .option('--id <id...>', 'only the dead letters of these event ids (default: all)')
    .option(
      '--from <offset>',
      'only dead letters from this dead-letter offset on (default: all)',
      wholeNumber(),
    )
    .option('--json', 'one JSON object per replayed dead letter and line')
    .addHelpText(
      'after',
      examples(
        'eventyard dlq replay orders --group billing',
        'eventyard dlq replay orders --id 0b5c1f9e-… 7d2e4a10-…',
        'eventyard dlq replay orders --from 120',
      ),
    )
    .action(async (topic: string, flags: ReplayFlags) => {
      validateTopicName(topic);
      if (flags.group !== undefined) validateGroupName(flags.group);
      const { letters, count } = await withEngines(async ({ broker }) => {
        const letters = await matching(broker, topic, flags);
        if (letters.length === 0) return { letters, count: 0 };
        // The ids listed, so a letter dead-lettered meanwhile is not replayed unseen.
        const count = await broker.deadLetters.replay(topic, {
          group: flags.group,
          ids: letters.map((letter) => letter.event.id),
          fromOffset: flags.from,
        });
        return { letters, count };
      });
      await writeRows(letters, DEAD_LETTER_COLUMNS, flags.json === true);
      if (!flags.json) {
        await writeLine(`replayed ${count} dead letter${count === 1 ? '' : 's'} to ${topic}`);
      }
    });
}

/**
 * The dead letters a replay with these filters publishes. Ids that match
 * nothing refuse the whole replay: half of what was asked is not it.
 */
async function matching(broker: Broker, topic: string, flags: ReplayFlags): Promise<DeadLetter[]> {
  const from = flags.from === undefined ? undefined : { offset: flags.from };
  const letters = await broker.deadLetters.list(topic, { group: flags.group, from });
  if (flags.id === undefined) return letters;
  const ids = new Set(flags.id);
  const found = letters.filter((letter) => ids.has(letter.event.id));
  const missing = [...ids].filter((id) => !found.some((letter) => letter.event.id === id));
  if (missing.length > 0) {
    throw new NotFoundError(
      `no dead letter on ${topic}${flags.group ? ` for ${flags.group}` : ''} has the id ${missing.join(', ')}; nothing was replayed`,
      { path: 'id', ids: missing },
    );
  }
  return found;
}

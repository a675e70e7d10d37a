/** `eventyard dlq list|replay`: the events groups gave up on. */
import type { Command } from 'commander';
import { examples } from '../help-text.ts';
import { dlqListCommand } from './dlq-list.ts';
import { dlqReplayCommand } from './dlq-replay.ts';

export function dlqCommand(program: Command): void {
  const dlq = program
    .command('dlq')
    .summary('list or replay dead letters')
    .description(
      "Dead letters: events a group gave up on (PermanentError, or attempts exhausted), kept on the topic's <topic>.dlq topic",
    )
    .addHelpText(
      'after',
      examples('eventyard dlq list orders', 'eventyard dlq replay orders --group billing'),
    );
  dlqListCommand(dlq);
  dlqReplayCommand(dlq);
}

/**
 * `eventyard replay <topic> <group> --from <position>`: moves a group that
 * no process consumes now, so it handles the topic again from there.
 */
import type { Command } from 'commander';
import type { Broker } from '../../core/broker.ts';
import { NotFoundError } from '../../core/errors.ts';
import { describePosition, parsePosition } from '../../core/position.ts';
import { validateGroupName, validateTopicName } from '../../core/topic.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { writeLine } from '../output.ts';

export function replayCommand(program: Command): void {
  program
    .command('replay')
    .summary('move an inactive group to a position (earliest, offset, time)')
    .description(
      'Move an inactive consumer group to a position, so it handles the events from there again. Refused while a process consumes the group: stop its service first.',
    )
    .argument('<topic>', 'topic the group consumes')
    .argument('<group>', 'consumer group to move')
    .requiredOption(
      '--from <position>',
      'where the group resumes: earliest, latest, an offset, or an ISO 8601 time',
    )
    .option('--json', 'print the group afterwards as one JSON object')
    .addHelpText(
      'after',
      examples(
        'eventyard replay orders billing --from earliest',
        'eventyard replay orders billing --from 2025-01-31T12:00:00Z',
        'eventyard replay orders billing --from latest   # skip the backlog',
      ),
    )
    .action(async (topic: string, group: string, flags: { from: string; json?: boolean }) => {
      validateTopicName(topic);
      validateGroupName(group);
      const position = parsePosition(flags.from);
      const moved = await withEngines(async ({ broker }) => {
        await requireGroup(broker, topic, group);
        await broker.resetGroup(topic, group, position);
        return (await broker.groups(topic)).find((g) => g.group === group)!;
      });
      await writeLine(
        flags.json
          ? JSON.stringify(moved)
          : `group ${group} on ${topic} moved to ${describePosition(position)}: position ${moved.position}, lag ${moved.lag}`,
      );
    });
}

/** Refuses a typo rather than creating a group nobody consumes. */
async function requireGroup(broker: Broker, topic: string, group: string): Promise<void> {
  if (!(await broker.topics()).some((t) => t.topic === topic)) {
    throw new NotFoundError(`topic ${topic} does not exist`, { path: 'topic', topic });
  }
  const groups = (await broker.groups(topic)).map((g) => g.group);
  if (!groups.includes(group)) {
    const known = groups.length > 0 ? `groups on ${topic}: ${groups.join(', ')}` : 'it has none';
    throw new NotFoundError(`group ${group} on ${topic} does not exist (${known})`, {
      path: 'group',
      topic,
      group,
    });
  }
}

/**
 * `eventyard publish <topic> [data]`: publishes events through the broker
 * the configuration names, and prints where each one went.
 */
import { type Command, Option } from 'commander';
import { createEvent, type Envelope, validateEnvelope } from '../../core/envelope.ts';
import { ValidationError } from '../../core/errors.ts';
import { validateTopicName } from '../../core/topic.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';
import { parseJson, parseJsonValues, readStdin } from '../json-input.ts';
import { isoTime, wholeNumber } from '../option-parsers.ts';
import { writeJsonLines } from '../output.ts';

export const DEFAULT_TYPE = 'eventyard.cli.published';
export const DEFAULT_SOURCE = 'eventyard-cli';
/** Events per publish call when stdin holds many: one group commit each. */
const BATCH = 1_000;

interface PublishFlags {
  readonly type: string;
  readonly source: string;
  readonly subject?: string;
  readonly key?: string;
  readonly delay?: number;
  readonly at?: Date;
  readonly envelope?: boolean;
}

export function publishCommand(program: Command): void {
  program
    .command('publish')
    .summary('publish events (JSON data, or JSON lines on stdin)')
    .description(
      "Publish events to a topic. Prints one JSON line per event: {topic, offset, id} (offset null and deliverAt set when delayed). Stdin '-' takes one JSON value, or JSON lines: one event per line.",
    )
    .argument('<topic>', 'topic to publish to (created on first use)')
    .argument('[data]', "the event's data as JSON, or - to read stdin", 'null')
    .option('--type <type>', 'CloudEvents type', DEFAULT_TYPE)
    .option('--source <source>', 'CloudEvents source', DEFAULT_SOURCE)
    .option('--subject <subject>', 'CloudEvents subject (default: none)')
    .option('--key <key>', 'partition key: events with one key keep their order (default: none)')
    .addOption(
      new Option('--delay <ms>', 'deliver no sooner than this many ms from now (default: at once)')
        .argParser(wholeNumber())
        .conflicts('at'),
    )
    .addOption(
      new Option(
        '--at <time>',
        'deliver no sooner than this ISO 8601 time (default: at once)',
      ).argParser(isoTime),
    )
    .addOption(
      new Option(
        '--envelope',
        'data is a complete CloudEvents 1.0 envelope, validated and published as is',
      ).conflicts(['type', 'source', 'subject', 'key']),
    )
    .addHelpText(
      'after',
      examples(
        `eventyard publish orders '{"id":42,"total":9.5}' --type shop.order.placed --key customer-7`,
        `eventyard publish reminders '"call back"' --delay 60000`,
        'cat events.jsonl | eventyard publish orders - --type shop.order.imported',
        `eventyard publish orders --envelope '{"specversion":"1.0","id":"o-1","source":"shop","type":"shop.order.placed","time":"2025-01-31T12:00:00Z","datacontenttype":"application/json","data":{}}'`,
      ),
    )
    .action(async (topic: string, data: string, flags: PublishFlags) => {
      validateTopicName(topic);
      const values =
        data === '-' ? parseJsonValues(await readStdin(), 'stdin') : [parseJson(data, 'data')];
      const events = values.map((value, i) =>
        eventOf(value, flags, values.length > 1 ? `event ${i + 1}: ` : ''),
      );
      await withEngines(async ({ broker }) => {
        // From now, not from the start of the command: opening the engines takes a moment.
        const deliverAt =
          flags.at ?? (flags.delay === undefined ? undefined : new Date(Date.now() + flags.delay));
        for (let start = 0; start < events.length; start += BATCH) {
          const batch = events.slice(start, start + BATCH);
          const receipt = await broker.publish(topic, batch, { deliverAt });
          await writeJsonLines(
            batch.map((event, i) => ({
              topic,
              offset: receipt.offsets[i] ?? null,
              id: event.id,
              ...(deliverAt && receipt.offsets[i] === undefined
                ? { deliverAt: deliverAt.toISOString() }
                : {}),
            })),
          );
        }
      });
    });
}

function eventOf(value: unknown, flags: PublishFlags, label: string): Envelope {
  try {
    if (flags.envelope) return validateEnvelope(value);
    return createEvent({
      type: flags.type,
      source: flags.source,
      subject: flags.subject,
      key: flags.key,
      data: value,
    });
  } catch (error) {
    if (error instanceof ValidationError && label !== '') {
      throw new ValidationError(`${label}${error.message}`, { ...error.details });
    }
    throw error;
  }
}

/**
 * Topic and group names. One pattern for every engine: it maps onto NATS
 * subjects, RabbitMQ queue names, Redis keys and SQLite identifiers alike.
 */
import { ValidationError } from './errors.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;
export const MAX_TOPIC_LENGTH = 200;

/** Suffix of a topic's dead-letter topic: `images-bucket-event.dlq`. */
export const DEAD_LETTER_SUFFIX = '.dlq';

function checkName(kind: 'topic' | 'group', name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ValidationError(`${kind} name must be a non-empty string`, { path: kind });
  }
  if (name.length > MAX_TOPIC_LENGTH || !NAME.test(name)) {
    throw new ValidationError(
      `invalid ${kind} name '${name}': use letters, digits, '_' and '-', in segments joined by single dots (at most ${MAX_TOPIC_LENGTH} characters)`,
      { path: kind, name },
    );
  }
  return name;
}

export function validateTopicName(name: unknown): string {
  return checkName('topic', name);
}

export function validateGroupName(name: unknown): string {
  return checkName('group', name);
}

export function deadLetterTopicOf(topic: string): string {
  return `${topic}${DEAD_LETTER_SUFFIX}`;
}

export function isDeadLetterTopic(topic: string): boolean {
  return topic.endsWith(DEAD_LETTER_SUFFIX);
}

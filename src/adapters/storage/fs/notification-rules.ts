/**
 * Validation of a bucket's notification rules before they are stored.
 * Event names are MinIO's; the embedded store raises `s3:ObjectCreated:Put`
 * and `s3:ObjectRemoved:Delete`, and accepts the other names a MinIO
 * configuration may carry, so such a configuration loads unchanged.
 */
import type { NotificationRule } from '../../../core/bucket-notification.ts';
import { ValidationError } from '../../../core/errors.ts';
import { MAX_KEY_BYTES } from '../../../core/object-names.ts';
import { validateTopicName } from '../../../core/topic.ts';

const EVENT_NAME =
  /^s3:(\*|ObjectCreated:(\*|Put|Post|Copy|CompleteMultipartUpload)|ObjectRemoved:(\*|Delete|DeleteMarkerCreated)|ObjectAccessed:(\*|Get|Head))$/;
const MAX_RULES = 100;
const MAX_ID_LENGTH = 255;

export function validateNotificationRules(rules: unknown): NotificationRule[] {
  if (!Array.isArray(rules) || rules.length > MAX_RULES) {
    throw invalid('rules', `notification rules must be an array of at most ${MAX_RULES} rules`);
  }
  return rules.map((rule, i) => validateRule(rule, `rules[${i}]`));
}

function validateRule(rule: unknown, path: string): NotificationRule {
  if (typeof rule !== 'object' || rule === null) throw invalid(path, 'a rule must be an object');
  const { topic, events, prefix, suffix, id } = rule as Record<string, unknown>;
  try {
    validateTopicName(topic);
  } catch (error) {
    throw invalid(`${path}.topic`, `invalid topic ${JSON.stringify(topic)}`, error);
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw invalid(`${path}.events`, 'a rule needs at least one event name');
  }
  events.forEach((name, j) => {
    if (typeof name !== 'string' || !EVENT_NAME.test(name)) {
      throw invalid(`${path}.events[${j}]`, `unknown event name ${JSON.stringify(name)}`);
    }
  });
  return {
    topic: topic as string,
    events: [...(events as string[])],
    ...optionalText(prefix, `${path}.prefix`, MAX_KEY_BYTES, 'prefix'),
    ...optionalText(suffix, `${path}.suffix`, MAX_KEY_BYTES, 'suffix'),
    ...optionalText(id, `${path}.id`, MAX_ID_LENGTH, 'id'),
  };
}

function optionalText(
  value: unknown,
  path: string,
  maxBytes: number,
  name: 'prefix' | 'suffix' | 'id',
): Partial<Record<typeof name, string>> {
  if (value === undefined || value === '') return {};
  if (typeof value !== 'string' || Buffer.byteLength(value) > maxBytes) {
    throw invalid(path, `${name} must be a string of at most ${maxBytes} bytes`);
  }
  return { [name]: value };
}

function invalid(path: string, message: string, cause?: unknown): ValidationError {
  return new ValidationError(message, { path, code: 'InvalidArgument', cause });
}

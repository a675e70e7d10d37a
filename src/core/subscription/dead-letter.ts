/**
 * The dead-letter record: the event as delivered, plus attributes saying
 * where it came from, which group gave up, after how many tries and why.
 * It goes to the topic's dead-letter topic (`<topic>.dlq`), an ordinary
 * topic every engine carries, so listing and replaying need nothing more.
 */
import type { DeadLetter } from '../broker.ts';
import { type Envelope, withoutAttributes } from '../envelope.ts';
import { describeError, EventyardError } from '../errors.ts';

const REASON_LIMIT = 2_000;

export const DEAD_LETTER_ATTRIBUTES = [
  'dlqtopic',
  'dlqgroup',
  'dlqoffset',
  'dlqreason',
  'dlqcode',
  'dlqat',
] as const;

/** Extension naming the one group a replayed event is for; others skip it. */
export const REPLAY_GROUP_ATTRIBUTE = 'replaygroup';

export interface DeadLetterFacts {
  readonly topic: string;
  readonly group: string;
  readonly offset: number;
  readonly attempts: number;
  readonly error: unknown;
  readonly now?: Date;
}

export function deadLetterEnvelope(event: Envelope, facts: DeadLetterFacts): Envelope {
  const reason = describeError(facts.error);
  const original = withoutAttributes(event, [REPLAY_GROUP_ATTRIBUTE]);
  return {
    ...original,
    attempt: facts.attempts,
    dlqtopic: facts.topic,
    dlqgroup: facts.group,
    // A string: offsets outgrow the 32-bit integers CloudEvents extensions may hold.
    dlqoffset: String(facts.offset),
    dlqreason: reason.length > REASON_LIMIT ? `${reason.slice(0, REASON_LIMIT)}…` : reason,
    dlqcode: facts.error instanceof EventyardError ? facts.error.code : 'EY_HANDLER',
    dlqat: (facts.now ?? new Date()).toISOString(),
  };
}

/** Reads a record of a dead-letter topic; undefined for anything else. */
export function readDeadLetter(offset: number, record: Envelope): DeadLetter | undefined {
  if (typeof record.dlqtopic !== 'string' || typeof record.dlqgroup !== 'string') return undefined;
  return {
    offset,
    topic: record.dlqtopic,
    group: record.dlqgroup,
    reason: String(record.dlqreason ?? ''),
    code: String(record.dlqcode ?? ''),
    attempts: Number(record.attempt ?? 0),
    deadLetteredAt: String(record.dlqat ?? ''),
    event: withoutAttributes(record, [...DEAD_LETTER_ATTRIBUTES, 'attempt']),
  };
}

/** The event to publish again for `letter`, addressed to the group that gave up. */
export function replayEnvelope(letter: DeadLetter): Envelope {
  return { ...letter.event, [REPLAY_GROUP_ATTRIBUTE]: letter.group };
}

/** Whether a delivered event is meant for `group` (replays are for one group only). */
export function isForGroup(event: Envelope, group: string): boolean {
  const target = event[REPLAY_GROUP_ATTRIBUTE];
  return target === undefined || target === group;
}

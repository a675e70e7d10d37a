import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEvent, validateEnvelope } from '../../../src/core/envelope.ts';
import { EngineError, PermanentError } from '../../../src/core/errors.ts';
import {
  DEAD_LETTER_ATTRIBUTES,
  deadLetterEnvelope,
  isForGroup,
  REPLAY_GROUP_ATTRIBUTE,
  readDeadLetter,
  replayEnvelope,
} from '../../../src/core/subscription/dead-letter.ts';

const AT = new Date('2024-05-01T12:00:00.000Z');

function original() {
  return createEvent({
    type: 'image.uploaded',
    data: { name: 'cat.png' },
    key: 'cat.png',
    extensions: { tenant: 'acme' },
  });
}

describe('deadLetterEnvelope', () => {
  test('given a permanent failure, when dead-lettered, then the record carries where, who, how often, why and when', () => {
    const event = original();
    const record = deadLetterEnvelope(event, {
      topic: 'images',
      group: 'thumbnailer',
      offset: 41,
      attempts: 1,
      error: new PermanentError('not an image'),
      now: AT,
    });
    assert.equal(record.dlqtopic, 'images');
    assert.equal(record.dlqgroup, 'thumbnailer');
    assert.equal(record.dlqoffset, '41');
    assert.equal(record.dlqreason, 'EY_PERMANENT: not an image');
    assert.equal(record.dlqcode, 'EY_PERMANENT');
    assert.equal(record.dlqat, '2024-05-01T12:00:00.000Z');
    assert.equal(record.attempt, 1);
    assert.equal(record.id, event.id);
    assert.equal(record.tenant, 'acme');
    assert.deepEqual(record.data, event.data);
  });

  test('given a dead-letter record, when validated, then it is still a valid envelope', () => {
    const record = deadLetterEnvelope(original(), {
      topic: 'images',
      group: 'thumbnailer',
      offset: 0,
      attempts: 5,
      error: new Error('boom'),
    });
    assert.equal(validateEnvelope(record), record);
    for (const name of DEAD_LETTER_ATTRIBUTES) assert.ok(name in record, name);
  });

  test('given a plain error with a cause, when dead-lettered, then the code is EY_HANDLER and the reason names the cause', () => {
    const record = deadLetterEnvelope(original(), {
      topic: 'images',
      group: 'thumbnailer',
      offset: 0,
      attempts: 5,
      error: new Error('resize failed', { cause: new EngineError('s3 down') }),
    });
    assert.equal(record.dlqcode, 'EY_HANDLER');
    assert.equal(record.dlqreason, 'resize failed (caused by EY_ENGINE: s3 down)');
  });

  test('given a huge error message, when dead-lettered, then the reason is cut to 2000 characters plus an ellipsis', () => {
    const record = deadLetterEnvelope(original(), {
      topic: 'images',
      group: 'thumbnailer',
      offset: 0,
      attempts: 5,
      error: new Error('x'.repeat(10_000)),
    });
    assert.equal(record.dlqreason, `${'x'.repeat(2_000)}…`);
  });

  test('given a replayed event that failed again, when dead-lettered, then its replay address is dropped', () => {
    const replayed = { ...original(), [REPLAY_GROUP_ATTRIBUTE]: 'thumbnailer' };
    const record = deadLetterEnvelope(replayed, {
      topic: 'images',
      group: 'thumbnailer',
      offset: 0,
      attempts: 2,
      error: new Error('again'),
    });
    assert.equal(record[REPLAY_GROUP_ATTRIBUTE], undefined);
  });
});

describe('readDeadLetter', () => {
  test('given a dead-letter record, when read, then the facts and the original event round-trip', () => {
    const event = original();
    const record = deadLetterEnvelope(event, {
      topic: 'images',
      group: 'thumbnailer',
      offset: 41,
      attempts: 3,
      error: new PermanentError('not an image'),
      now: AT,
    });
    const letter = readDeadLetter(9, JSON.parse(JSON.stringify(record)));
    assert.deepEqual(letter, {
      offset: 9,
      topic: 'images',
      group: 'thumbnailer',
      reason: 'EY_PERMANENT: not an image',
      code: 'EY_PERMANENT',
      attempts: 3,
      deadLetteredAt: '2024-05-01T12:00:00.000Z',
      event,
    });
  });

  test('given an ordinary event, when read as a dead letter, then it is undefined', () => {
    assert.equal(readDeadLetter(0, original()), undefined);
  });
});

describe('replayEnvelope and isForGroup', () => {
  test('given a dead letter, when replayed, then the event is addressed to the group that gave up and is valid', () => {
    const event = original();
    const letter = readDeadLetter(
      0,
      deadLetterEnvelope(event, {
        topic: 'images',
        group: 'thumbnailer',
        offset: 1,
        attempts: 5,
        error: new Error('x'),
      }),
    )!;
    const replay = replayEnvelope(letter);
    assert.equal(replay[REPLAY_GROUP_ATTRIBUTE], 'thumbnailer');
    assert.equal(replay.id, event.id);
    assert.equal(replay.dlqreason, undefined);
    assert.equal(validateEnvelope(replay), replay);
    assert.equal(isForGroup(replay, 'thumbnailer'), true);
    assert.equal(isForGroup(replay, 'indexer'), false);
  });

  test('given an event that is no replay, when asked, then it is for every group', () => {
    assert.equal(isForGroup(original(), 'thumbnailer'), true);
    assert.equal(isForGroup(original(), 'indexer'), true);
  });
});

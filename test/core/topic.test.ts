import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import {
  DEAD_LETTER_SUFFIX,
  deadLetterTopicOf,
  isDeadLetterTopic,
  MAX_TOPIC_LENGTH,
  validateGroupName,
  validateTopicName,
} from '../../src/core/topic.ts';

function assertRefused(check: () => unknown, path: 'topic' | 'group'): void {
  assert.throws(check, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected ValidationError, got ${error}`);
    assert.equal(error.details.path, path);
    return true;
  });
}

describe('validateTopicName', () => {
  test('given the seed topic names, when validated, then each is accepted unchanged', () => {
    for (const name of [
      'images-bucket-event',
      'data_stream',
      'manuela-factory.iot-sensor-sw-temperature',
      'orders',
      'A1.b2.C3',
      'x'.repeat(MAX_TOPIC_LENGTH),
    ]) {
      assert.equal(validateTopicName(name), name);
    }
  });

  test('given malformed names, when validated, then each is refused naming the topic', () => {
    for (const name of [
      '',
      'a..b',
      '.a',
      'a.',
      'a b',
      '$x',
      '-a',
      '_a',
      'a/b',
      'a*',
      'a>',
      'x'.repeat(MAX_TOPIC_LENGTH + 1),
    ]) {
      assertRefused(() => validateTopicName(name), 'topic');
    }
  });

  test('given a non-string, when validated, then it is refused with a message saying so', () => {
    for (const name of [undefined, null, 42, {}]) {
      assert.throws(() => validateTopicName(name), /topic name must be a non-empty string/);
    }
  });

  test('given a bad name, when refused, then the message quotes the name', () => {
    assert.throws(() => validateTopicName('a b'), /invalid topic name 'a b'/);
  });
});

describe('validateGroupName', () => {
  test('given good and bad group names, when validated, then the same rules apply with path group', () => {
    assert.equal(validateGroupName('thumbnailer'), 'thumbnailer');
    assert.equal(validateGroupName('billing.v2'), 'billing.v2');
    assertRefused(() => validateGroupName('a..b'), 'group');
    assertRefused(() => validateGroupName(''), 'group');
  });
});

describe('dead-letter topics', () => {
  test('given a topic, when its dead-letter topic is named, then it is the topic plus .dlq and is itself valid', () => {
    const dlq = deadLetterTopicOf('images-bucket-event');
    assert.equal(dlq, 'images-bucket-event.dlq');
    assert.equal(DEAD_LETTER_SUFFIX, '.dlq');
    assert.equal(validateTopicName(dlq), dlq);
  });

  test('given topics, when asked whether they are dead-letter topics, then only .dlq ones are', () => {
    assert.equal(isDeadLetterTopic(deadLetterTopicOf('orders')), true);
    assert.equal(isDeadLetterTopic('orders'), false);
    assert.equal(isDeadLetterTopic('orders-dlq'), false);
  });
});

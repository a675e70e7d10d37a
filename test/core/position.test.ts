import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../src/core/errors.ts';
import { describePosition, parsePosition } from '../../src/core/position.ts';

describe('parsePosition', () => {
  test('given earliest or its synonyms, when parsed, then the position is earliest', () => {
    for (const text of ['earliest', 'start', 'beginning', '  start  ']) {
      assert.equal(parsePosition(text), 'earliest');
    }
  });

  test('given latest or end, when parsed, then the position is latest', () => {
    assert.equal(parsePosition('latest'), 'latest');
    assert.equal(parsePosition('end'), 'latest');
  });

  test('given a whole number, when parsed, then it is an offset', () => {
    assert.deepEqual(parsePosition('0'), { offset: 0 });
    assert.deepEqual(parsePosition('1234'), { offset: 1234 });
    assert.deepEqual(parsePosition(' 42 '), { offset: 42 });
  });

  test('given an ISO 8601 time, when parsed, then it is that time', () => {
    const full = parsePosition('2024-05-01T12:30:00.250Z');
    assert.ok(typeof full === 'object' && 'time' in full);
    assert.equal(full.time.toISOString(), '2024-05-01T12:30:00.250Z');
    const offset = parsePosition('2024-05-01T14:30:00+02:00');
    assert.ok(typeof offset === 'object' && 'time' in offset);
    assert.equal(offset.time.toISOString(), '2024-05-01T12:30:00.000Z');
    const day = parsePosition('2024-05-01');
    assert.ok(typeof day === 'object' && 'time' in day);
    assert.equal(day.time.toISOString(), '2024-05-01T00:00:00.000Z');
  });

  test('given junk, when parsed, then it is refused with path position and the text quoted', () => {
    for (const text of [
      '',
      'soon',
      'Earliest',
      '-1',
      '1.5',
      '1e3',
      '2024-13-01',
      '2024-01-01garbage',
    ]) {
      assert.throws(
        () => parsePosition(text),
        (error: unknown) => {
          assert.ok(error instanceof ValidationError, `'${text}': got ${error}`);
          assert.equal(error.details.path, 'position');
          assert.ok(error.message.includes(`'${text}'`), error.message);
          return true;
        },
      );
    }
  });

  test('given an offset beyond Number.MAX_SAFE_INTEGER, when parsed, then it is refused', () => {
    assert.throws(() => parsePosition('99999999999999999999'), ValidationError);
  });

  test('given a date that does not exist (Feb 30), when parsed, then it is refused', () => {
    assert.throws(() => parsePosition('2024-02-30'), ValidationError);
  });
});

describe('describePosition', () => {
  test('given each kind of position, when described, then the text names it', () => {
    assert.equal(describePosition('earliest'), 'earliest');
    assert.equal(describePosition('latest'), 'latest');
    assert.equal(describePosition({ offset: 7 }), 'offset 7');
    assert.equal(
      describePosition({ time: new Date('2024-05-01T00:00:00Z') }),
      'time 2024-05-01T00:00:00.000Z',
    );
  });
});

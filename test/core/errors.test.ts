import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ClosedError,
  ConfigError,
  ConflictError,
  describeError,
  EngineError,
  EventyardError,
  httpStatusOf,
  NotFoundError,
  PermanentError,
  TimeoutError,
  UnsupportedError,
  ValidationError,
} from '../../src/core/errors.ts';

const CASES = [
  [ValidationError, 'EY_VALIDATION', 400],
  [ConfigError, 'EY_CONFIG', 500],
  [NotFoundError, 'EY_NOT_FOUND', 404],
  [ConflictError, 'EY_CONFLICT', 409],
  [UnsupportedError, 'EY_UNSUPPORTED', 501],
  [ClosedError, 'EY_CLOSED', 503],
  [TimeoutError, 'EY_TIMEOUT', 504],
  [EngineError, 'EY_ENGINE', 503],
  [PermanentError, 'EY_PERMANENT', 500],
] as const;

describe('error classes', () => {
  test('given each error class, when constructed, then it has its stable code, its name and is an EventyardError', () => {
    for (const [ErrorClass, code] of CASES) {
      const error = new ErrorClass('boom');
      assert.ok(error instanceof EventyardError);
      assert.ok(error instanceof Error);
      assert.equal(error.code, code);
      assert.equal(error.name, ErrorClass.name);
      assert.equal(error.message, 'boom');
    }
  });

  test('given details with a cause, when constructed, then cause is the Error cause and not a detail', () => {
    const cause = new Error('disk full');
    const error = new EngineError('write failed', { path: 'ey_log', cause });
    assert.equal(error.cause, cause);
    assert.deepEqual(error.details, { path: 'ey_log' });
  });

  test('given no cause, when constructed, then the error has no cause property', () => {
    assert.equal('cause' in new ValidationError('bad'), false);
  });

  test('given details, when serialised with toJSON, then code, message and details appear without the cause', () => {
    const error = new ValidationError('bad field', {
      path: 'policy.attempts',
      cause: new Error('x'),
    });
    assert.deepEqual(error.toJSON(), {
      code: 'EY_VALIDATION',
      message: 'bad field',
      path: 'policy.attempts',
    });
    assert.deepEqual(JSON.parse(JSON.stringify(error)), error.toJSON());
  });
});

describe('httpStatusOf', () => {
  test('given each error class, when mapped, then it gets its documented status', () => {
    for (const [ErrorClass, code, status] of CASES) {
      assert.equal(httpStatusOf(new ErrorClass('x')), status, code);
    }
  });

  test('given foreign errors and non-errors, when mapped, then the status is 500', () => {
    assert.equal(httpStatusOf(new Error('x')), 500);
    assert.equal(httpStatusOf(new TypeError('x')), 500);
    assert.equal(httpStatusOf('string'), 500);
    assert.equal(httpStatusOf(undefined), 500);
    assert.equal(httpStatusOf(new EventyardError('EY_SOMETHING_NEW', 'x')), 500);
  });
});

describe('describeError', () => {
  test('given an eventyard error, when described, then the code prefixes the message', () => {
    assert.equal(describeError(new PermanentError('bad image')), 'EY_PERMANENT: bad image');
  });

  test('given a chain of causes, when described, then every cause appears in order', () => {
    const root = new Error('ECONNRESET');
    const middle = new EngineError('query failed', { cause: root });
    const top = new Error('handler failed', { cause: middle });
    assert.equal(
      describeError(top),
      'handler failed (caused by EY_ENGINE: query failed (caused by ECONNRESET))',
    );
  });

  test('given non-errors, when described, then they are stringified', () => {
    assert.equal(describeError('plain'), 'plain');
    assert.equal(describeError(42), '42');
    assert.equal(describeError(undefined), 'undefined');
    assert.equal(describeError(new Error('x', { cause: 'why' })), 'x (caused by why)');
  });
});

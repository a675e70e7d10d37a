import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  causedBy,
  createEvent,
  DEFAULT_SOURCE,
  type Envelope,
  MAX_ID_LENGTH,
  newTraceparent,
  traceIdOf,
  validateEnvelope,
  withoutAttributes,
} from '../../src/core/envelope.ts';
import { ValidationError } from '../../src/core/errors.ts';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/** A valid envelope to break one rule at a time. */
function validEvent(): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: '/tests',
    type: 'test.happened',
    time: '2024-05-01T12:00:00.000Z',
    datacontenttype: 'application/json',
    data: { n: 1 },
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
}

/** Asserts that validation refuses `value` with a ValidationError whose path is `path`. */
function assertRefused(value: unknown, path: string): void {
  assert.throws(
    () => validateEnvelope(value),
    (error: unknown) => {
      assert.ok(error instanceof ValidationError, `expected ValidationError, got ${error}`);
      assert.equal(error.code, 'EY_VALIDATION');
      assert.equal(error.details.path, path);
      assert.ok(error.message.includes(path), `message does not name ${path}: ${error.message}`);
      return true;
    },
  );
}

describe('createEvent', () => {
  test('given only type and data, when created, then every required attribute is filled in', () => {
    const before = Date.now();
    const event = createEvent({ type: 'image.uploaded', data: { name: 'cat.png' } });
    const after = Date.now();

    assert.equal(event.specversion, '1.0');
    assert.match(event.id, /^[0-9a-f-]{36}$/);
    assert.equal(event.source, DEFAULT_SOURCE);
    assert.equal(event.type, 'image.uploaded');
    assert.equal(event.datacontenttype, 'application/json');
    assert.deepEqual(event.data, { name: 'cat.png' });
    assert.match(event.traceparent!, TRACEPARENT);
    const time = Date.parse(event.time);
    assert.ok(time >= before && time <= after, `time ${event.time} is not now`);
    assert.equal(event.correlationid, undefined);
    assert.equal(event.causationid, undefined);
  });

  test('given two events, when created, then their ids and trace ids differ', () => {
    const a = createEvent({ type: 't', data: 1 });
    const b = createEvent({ type: 't', data: 1 });
    assert.notEqual(a.id, b.id);
    assert.notEqual(traceIdOf(a.traceparent), traceIdOf(b.traceparent));
  });

  test('given explicit attributes, when created, then they are kept and key becomes partitionkey', () => {
    const event = createEvent({
      type: 't',
      data: null,
      id: 'my-id',
      source: 'urn:test',
      subject: 'cat.png',
      time: new Date('2024-01-02T03:04:05.678Z'),
      datacontenttype: 'text/plain',
      dataschema: 'https://example.com/schema',
      key: 'user-7',
      correlationid: 'c-1',
      causationid: 'x-1',
      extensions: { tenant: 'acme', retries: 3, vip: true },
    });
    assert.equal(event.id, 'my-id');
    assert.equal(event.source, 'urn:test');
    assert.equal(event.subject, 'cat.png');
    assert.equal(event.time, '2024-01-02T03:04:05.678Z');
    assert.equal(event.datacontenttype, 'text/plain');
    assert.equal(event.dataschema, 'https://example.com/schema');
    assert.equal(event.partitionkey, 'user-7');
    assert.equal(event.key, undefined);
    assert.equal(event.correlationid, 'c-1');
    assert.equal(event.causationid, 'x-1');
    assert.equal(event.tenant, 'acme');
    assert.equal(event.retries, 3);
    assert.equal(event.vip, true);
  });

  test('given a bad extension name, when created, then it is refused like in validateEnvelope', () => {
    assert.throws(
      () => createEvent({ type: 't', data: 1, extensions: { Tenant: 'acme' } }),
      (error: unknown) => error instanceof ValidationError && error.details.path === 'Tenant',
    );
  });
});

describe('validateEnvelope', () => {
  test('given a valid envelope, when validated, then the same object is returned', () => {
    const event = validEvent();
    assert.equal(validateEnvelope(event), event);
  });

  test('given a non-object, when validated, then it is refused at path event', () => {
    for (const value of [null, undefined, 'event', 42, [validEvent()]]) {
      assertRefused(value, 'event');
    }
  });

  test('given a wrong specversion, when validated, then it is refused at path specversion', () => {
    assertRefused({ ...validEvent(), specversion: '0.3' }, 'specversion');
  });

  test('given a missing or empty id, when validated, then it is refused at path id', () => {
    const { id: _id, ...withoutId } = validEvent();
    assertRefused(withoutId, 'id');
    assertRefused({ ...validEvent(), id: '' }, 'id');
    assertRefused({ ...validEvent(), id: 7 }, 'id');
  });

  test('given an id longer than MAX_ID_LENGTH, when validated, then it is refused at path id', () => {
    validateEnvelope({ ...validEvent(), id: 'x'.repeat(MAX_ID_LENGTH) });
    assertRefused({ ...validEvent(), id: 'x'.repeat(MAX_ID_LENGTH + 1) }, 'id');
  });

  test('given an empty source, when validated, then it is refused at path source', () => {
    assertRefused({ ...validEvent(), source: '' }, 'source');
  });

  test('given an empty or missing type, when validated, then it is refused at path type', () => {
    assertRefused({ ...validEvent(), type: '' }, 'type');
    const { type: _type, ...withoutType } = validEvent();
    assertRefused(withoutType, 'type');
  });

  test('given a time that is not RFC 3339, when validated, then it is refused at path time', () => {
    for (const time of [
      'yesterday',
      '2024-05-01',
      '2024-05-01 12:00:00Z',
      '2024-05-01T12:00:00',
      '2024-13-01T12:00:00Z',
      '2024-00-10T12:00:00Z',
      '2024-05-32T12:00:00Z',
      '2024-05-01T24:00:00Z',
      '2024-05-01T12:60:00Z',
      '2024-05-01T12:00:60Z',
      '2024-05-01T12:00:00+24:00',
      1714564800000,
    ]) {
      assertRefused({ ...validEvent(), time }, 'time');
    }
  });

  test('given RFC 3339 times with offsets and fractions, when validated, then they are accepted', () => {
    for (const time of [
      '2024-05-01T12:00:00Z',
      '2024-05-01T12:00:00.123456+02:00',
      '2024-12-31t23:59:59z',
      '2024-02-29T00:00:00-23:59',
    ]) {
      validateEnvelope({ ...validEvent(), time });
    }
  });

  test('given no data at all, when validated, then it is refused at path data', () => {
    const { data: _data, ...withoutData } = validEvent();
    assertRefused(withoutData, 'data');
  });

  test('given a bad traceparent, when validated, then it is refused at path traceparent', () => {
    for (const traceparent of [
      'not-a-trace',
      '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01',
      42,
    ]) {
      assertRefused({ ...validEvent(), traceparent }, 'traceparent');
    }
  });

  test('given a bad partitionkey, when validated, then it is refused at path partitionkey', () => {
    assertRefused({ ...validEvent(), partitionkey: 5 }, 'partitionkey');
    assertRefused({ ...validEvent(), partitionkey: 'k'.repeat(1025) }, 'partitionkey');
  });

  test('given attempt 0, 1.5 or "2", when validated, then it is refused at path attempt', () => {
    for (const attempt of [0, -1, 1.5, '2']) {
      assertRefused({ ...validEvent(), attempt }, 'attempt');
    }
    validateEnvelope({ ...validEvent(), attempt: 1 });
  });

  test('given an extension with an uppercase, dash, underscore or dot in its name, when validated, then it is refused at that name', () => {
    for (const name of ['Tenant', 'my-ext', 'my_ext', 'ext.one']) {
      assertRefused({ ...validEvent(), [name]: 'x' }, name);
    }
  });

  test('given an extension name of 21 characters, when validated, then it is refused; 20 is accepted', () => {
    const long = 'a'.repeat(21);
    assertRefused({ ...validEvent(), [long]: 'x' }, long);
    validateEnvelope({ ...validEvent(), ['a'.repeat(20)]: 'x' });
  });

  test('given an extension of object, array or null type, when validated, then it is refused at that name', () => {
    for (const value of [{ nested: true }, ['a'], null]) {
      assertRefused({ ...validEvent(), tenant: value }, 'tenant');
    }
  });

  test('given extensions of string, number and boolean type, when validated, then they are accepted', () => {
    const event = validateEnvelope({ ...validEvent(), tenant: 'acme', retries: 3, vip: false });
    assert.equal(event.tenant, 'acme');
    assert.equal(event.retries, 3);
    assert.equal(event.vip, false);
  });

  test('given a number extension that is no CloudEvents Integer (NaN, 1.5, > int32), when validated, then it is refused', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, 2 ** 31]) {
      assertRefused({ ...validEvent(), retries: value }, 'retries');
    }
  });

  test('given an empty subject, when validated, then it is refused (CloudEvents: if present, non-empty)', () => {
    assertRefused({ ...validEvent(), subject: '' }, 'subject');
  });
});

describe('causedBy', () => {
  test('given a parent that started a chain, when an event is caused by it, then it correlates to the parent id', () => {
    const parent = createEvent({ type: 'upload.received', data: 1 });
    const child = causedBy(parent, { type: 'thumbnail.requested', data: 2 });

    assert.equal(child.correlationid, parent.id);
    assert.equal(child.causationid, parent.id);
    assert.notEqual(child.id, parent.id);
    assert.equal(child.type, 'thumbnail.requested');
  });

  test('given a parent with a traceparent, when an event is caused by it, then the trace id is kept and the span id is new', () => {
    const parent = createEvent({ type: 'p', data: 1 });
    const child = causedBy(parent, { type: 'c', data: 2 });
    const [, parentTrace, parentSpan] = TRACEPARENT.exec(parent.traceparent!)!;
    const [, childTrace, childSpan] = TRACEPARENT.exec(child.traceparent!)!;

    assert.equal(childTrace, parentTrace);
    assert.notEqual(childSpan, parentSpan);
  });

  test('given a parent without traceparent, when an event is caused by it, then it gets a fresh valid trace', () => {
    const parent = withoutAttributes(createEvent({ type: 'p', data: 1 }), ['traceparent']);
    const child = causedBy(parent, { type: 'c', data: 2 });
    assert.match(child.traceparent!, TRACEPARENT);
  });

  test('given a chain of three events, when each is caused by the previous, then all share the first id as correlation id', () => {
    const first = createEvent({ type: 'a', data: 1 });
    const second = causedBy(first, { type: 'b', data: 2 });
    const third = causedBy(second, { type: 'c', data: 3 });

    assert.equal(second.correlationid, first.id);
    assert.equal(third.correlationid, first.id);
    assert.equal(third.causationid, second.id);
    assert.equal(traceIdOf(third.traceparent), traceIdOf(first.traceparent));
  });

  test('given an init that names its own correlation id, when caused by a parent, then the parent wins', () => {
    const parent: Envelope = createEvent({ type: 'p', data: 1, correlationid: 'root' });
    const child = causedBy(parent, { type: 'c', data: 2, correlationid: 'other' });
    assert.equal(child.correlationid, 'root');
    assert.equal(child.causationid, parent.id);
  });
});

describe('traceparent helpers', () => {
  test('given a trace id, when a new traceparent is made, then it carries that trace id', () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const traceparent = newTraceparent(traceId);
    assert.match(traceparent, TRACEPARENT);
    assert.equal(traceIdOf(traceparent), traceId);
  });

  test('given junk or nothing, when its trace id is asked for, then it is undefined', () => {
    assert.equal(traceIdOf(undefined), undefined);
    assert.equal(traceIdOf('junk'), undefined);
  });
});

describe('withoutAttributes', () => {
  test('given an event, when attributes are removed, then the copy lacks them and the original keeps them', () => {
    const event = createEvent({ type: 't', data: 1, extensions: { tenant: 'acme' } });
    const copy = withoutAttributes(event, ['tenant', 'traceparent']);
    assert.equal(copy.tenant, undefined);
    assert.equal(copy.traceparent, undefined);
    assert.equal(copy.id, event.id);
    assert.equal(event.tenant, 'acme');
  });
});

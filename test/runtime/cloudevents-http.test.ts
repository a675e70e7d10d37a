import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { traceIdOf } from '../../src/core/envelope.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { eventsFromRequest } from '../../src/runtime/cloudevents-http.ts';
import { UnsupportedMediaTypeError } from '../../src/runtime/http-errors.ts';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const envelope = {
  specversion: '1.0',
  id: 'e-1',
  source: '/test',
  type: 'thing.happened',
  time: '2024-05-01T10:00:00Z',
  datacontenttype: 'application/json',
  data: { n: 1 },
};

function refusedAt(path: string) {
  return (error: unknown) => error instanceof ValidationError && error.details.path === path;
}

describe('eventsFromRequest', () => {
  it('reads a structured event, filling in the optional attributes eventyard needs', () => {
    const { time: _time, datacontenttype: _type, ...minimal } = envelope;
    const [event] = eventsFromRequest({
      headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      body: json(minimal),
      query: {},
    });
    assert.equal(event!.id, 'e-1');
    assert.deepEqual(event!.data, { n: 1 });
    assert.equal(event!.datacontenttype, 'application/json');
    assert.ok(!Number.isNaN(Date.parse(event!.time)));
    assert.ok(event!.traceparent);
  });

  it('continues the trace of the request when it carries a traceparent header', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const [event] = eventsFromRequest({
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: json({ a: 1 }),
      query: { type: 'thing.happened' },
    });
    assert.equal(traceIdOf(event!.traceparent), traceId);
  });

  it('reads a batch, naming the index of a bad event', () => {
    const events = eventsFromRequest({
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: json([envelope, { ...envelope, id: 'e-2' }]),
      query: {},
    });
    assert.deepEqual(
      events.map((event) => event.id),
      ['e-1', 'e-2'],
    );
    assert.throws(
      () =>
        eventsFromRequest({
          headers: { 'content-type': 'application/cloudevents-batch+json' },
          body: json([envelope, { ...envelope, type: 7 }]),
          query: {},
        }),
      refusedAt('1.type'),
    );
  });

  it('reads binary mode: ce-* headers percent-decoded, Content-Type as datacontenttype', () => {
    const [event] = eventsFromRequest({
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'b-1',
        'ce-source': '/sensors/hall%201',
        'ce-type': 'reading',
        'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80',
        'ce-partitionkey': '"quoted\\"key"',
        'ce-attempt': '2',
        'content-type': 'application/json; charset=utf-8',
      },
      body: json({ celsius: 21.5 }),
      query: {},
    });
    assert.equal(event!.source, '/sensors/hall 1');
    assert.equal(event!.subject, 'Euro € 😀');
    assert.equal(event!.partitionkey, 'quoted"key');
    assert.equal(event!.attempt, 2);
    assert.equal(event!.datacontenttype, 'application/json; charset=utf-8');
    assert.deepEqual(event!.data, { celsius: 21.5 });
  });

  it('keeps binary data of other media types: text as a string, the rest as data_base64', () => {
    const base = { 'ce-specversion': '1.0', 'ce-id': 'b', 'ce-source': '/s', 'ce-type': 't' };
    const [text] = eventsFromRequest({
      headers: { ...base, 'content-type': 'text/plain' },
      body: Buffer.from('hello'),
      query: {},
    });
    assert.equal(text!.data, 'hello');
    const [bytes] = eventsFromRequest({
      headers: { ...base, 'content-type': 'image/png' },
      body: Buffer.from([0x89, 0x50]),
      query: {},
    });
    assert.equal(bytes!.data_base64, Buffer.from([0x89, 0x50]).toString('base64'));
    assert.equal(bytes!.datacontenttype, 'image/png');
  });

  it('refuses invalid UTF-8 in a header, and ce-datacontenttype in binary mode', () => {
    const base = { 'ce-specversion': '1.0', 'ce-id': 'b', 'ce-source': '/s', 'ce-type': 't' };
    assert.throws(
      () =>
        eventsFromRequest({
          headers: { ...base, 'ce-subject': '%C0%A0', 'content-type': 'text/plain' },
          body: Buffer.from('x'),
          query: {},
        }),
      refusedAt('ce-subject'),
    );
    assert.throws(
      () =>
        eventsFromRequest({
          headers: { ...base, 'ce-datacontenttype': 'text/plain', 'content-type': 'text/plain' },
          body: Buffer.from('x'),
          query: {},
        }),
      refusedAt('ce-datacontenttype'),
    );
  });

  it('makes plain JSON the data of a new event, and needs ?type= for it', () => {
    const [event] = eventsFromRequest({
      headers: { 'content-type': 'application/json' },
      body: json([1, 2]),
      query: { type: 'numbers', key: 'k1', source: '/cli' },
    });
    assert.deepEqual(event!.data, [1, 2]);
    assert.equal(event!.partitionkey, 'k1');
    assert.equal(event!.source, '/cli');
    assert.throws(
      () =>
        eventsFromRequest({
          headers: { 'content-type': 'application/json' },
          body: json({ a: 1 }),
          query: {},
        }),
      refusedAt('type'),
    );
  });

  it('refuses bodies it cannot read as events', () => {
    assert.throws(
      () =>
        eventsFromRequest({
          headers: { 'content-type': 'application/cloudevents+json' },
          body: Buffer.from('{"specversion":'),
          query: {},
        }),
      refusedAt('body'),
    );
    assert.throws(
      () =>
        eventsFromRequest({
          headers: { 'content-type': 'text/plain' },
          body: Buffer.from('hi'),
          query: {},
        }),
      UnsupportedMediaTypeError,
    );
    assert.throws(
      () =>
        eventsFromRequest({
          headers: { 'content-type': 'application/cloudevents+avro' },
          body: Buffer.from('x'),
          query: {},
        }),
      UnsupportedMediaTypeError,
    );
  });
});

import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createEvent } from '../../src/core/envelope.ts';
import type { BrokerObserver } from '../../src/core/observer.ts';
import { LogObserver } from '../../src/observability/log-observer.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { fanOutObservers } from '../../src/observability/observer-fan-out.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const logger = createLogger({ EVENTYARD_LOG_LEVEL: 'info' }, stream);
  return { logger, lines };
}

describe('LogObserver', () => {
  it('logs a retry at warn, naming the event the error was thrown for', () => {
    const { logger, lines } = capture();
    const event = createEvent({ type: 'order.placed', data: {}, correlationid: 'c-1' });
    const error = new Error('database busy');
    new LogObserver(logger).retried('orders', 'billing', 2, error, 400, event);
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line.level, 'warn');
    assert.equal(line.topic, 'orders');
    assert.equal(line.group, 'billing');
    assert.equal(line.attempt, 2);
    assert.equal(line.retryInMs, 400);
    assert.equal(line.eventId, event.id);
    assert.equal(line.correlationid, 'c-1');
    assert.equal(line.traceparent, event.traceparent);
    assert.match(String(line.msg), /database busy/);
    assert.equal(typeof line.time, 'string');
  });

  it('logs dead letters and failures at error', () => {
    const { logger, lines } = capture();
    const observer = new LogObserver(logger);
    const event = createEvent({ type: 'order.placed', data: {} });
    observer.deadLettered('orders', 'billing', 'EY_PERMANENT: no such customer', event);
    observer.failed('consumer trouble, recovering', new Error('disk full'), { topic: 'orders' });
    assert.deepEqual(
      lines.map((line) => [line.level, line.topic]),
      [
        ['error', 'orders'],
        ['error', 'orders'],
      ],
    );
    assert.equal(lines[0]!.reason, 'EY_PERMANENT: no such customer');
    assert.equal(lines[0]!.eventId, event.id);
    assert.equal((lines[1]!.err as { message: string }).message, 'disk full');
  });
});

describe('fanOutObservers', () => {
  it('reports to every observer, even after one throws', () => {
    const seen: string[] = [];
    const throwing: BrokerObserver = {
      published() {
        throw new Error('bug in an observer');
      },
    };
    const counting: BrokerObserver = {
      published: (topic, count) => seen.push(`${topic}:${count}`),
      consumed: (topic, group) => seen.push(`${topic}/${group}`),
    };
    const observer = fanOutObservers(throwing, counting);
    observer.published?.('orders', 2);
    observer.consumed?.('orders', 'billing');
    assert.deepEqual(seen, ['orders:2', 'orders/billing']);
    assert.equal(observer.retried, undefined);
  });
});

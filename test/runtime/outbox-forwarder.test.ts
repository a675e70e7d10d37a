/**
 * The outbox forwarder over an in-memory outbox and a recording broker:
 * order, the out-of-order commit trap, at-least-once on failures, refused
 * rows, delayed rows, lease loss and close. The PostgreSQL source is tested
 * with a real broker in test/adapters/postgres/.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Broker, PublishOptions } from '../../src/core/broker.ts';
import { createEvent, type Envelope } from '../../src/core/envelope.ts';
import { EngineError, ValidationError } from '../../src/core/errors.ts';
import {
  type OutboxBatch,
  OutboxForwarder,
  type OutboxLease,
  type OutboxRow,
  type OutboxSource,
} from '../../src/runtime/outbox-forwarder.ts';
import { delay, waitFor } from '../support/wait.ts';

/** An outbox whose ids are taken before rows commit, like a sequence. */
class MemoryOutbox implements OutboxSource {
  readonly committed = new Map<number, OutboxRow>();
  readonly rejected = new Map<number, string>();
  #nextId = 1;
  #held = false;
  #wake: (() => void) | undefined;
  maxConcurrentLeases = 0;
  #leases = 0;
  leases = 0;
  /** Makes the next lease operation throw, as a dropped connection would. */
  loseLease = false;

  reserve(): number {
    return this.#nextId++;
  }

  commit(id: number, topic: string, data: unknown, deliverAt?: number): Envelope {
    const event = createEvent({ type: 'row', data });
    this.committed.set(
      id,
      deliverAt === undefined ? { id, topic, event } : { id, topic, event, deliverAt },
    );
    this.#wake?.();
    return event;
  }

  add(topic: string, data: unknown, deliverAt?: number): Envelope {
    return this.commit(this.reserve(), topic, data, deliverAt);
  }

  async lead(signal: AbortSignal): Promise<OutboxLease> {
    while (this.#held) {
      signal.throwIfAborted();
      await delay(5);
    }
    this.#held = true;
    this.leases++;
    this.maxConcurrentLeases = Math.max(this.maxConcurrentLeases, ++this.#leases);
    let released = false;
    const check = () => {
      if (this.loseLease) {
        this.loseLease = false;
        throw new EngineError('connection lost');
      }
    };
    return {
      fetch: async (limit, options = {}): Promise<OutboxBatch> => {
        check();
        const all = [...this.committed.values()].sort((a, b) => a.id - b.id);
        const due = all.filter(
          (row) => options.dueBy === undefined || (row.deliverAt ?? 0) <= options.dueBy,
        );
        const held = all.filter((row) => !due.includes(row)).map((row) => row.deliverAt!);
        const rows = due.slice(0, limit);
        return held.length > 0 ? { rows, nextDueAt: Math.min(...held) } : { rows };
      },
      remove: async (ids) => {
        check();
        for (const id of ids) this.committed.delete(id);
      },
      reject: async (ids, reason) => {
        for (const id of ids) {
          this.committed.delete(id);
          this.rejected.set(id, reason);
        }
      },
      wait: (ms, waitSignal) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          waitSignal.addEventListener('abort', () => resolve(), { once: true });
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
      release: async () => {
        if (released) return;
        released = true;
        this.#leases--;
        this.#held = false;
      },
    };
  }

  async lag() {
    return { waiting: this.committed.size, delayed: 0, oldestMs: 0 };
  }
}

interface Published {
  topic: string;
  data: unknown;
  options: PublishOptions;
}

/** A broker that records publishes; `failNext` and `refuse` inject failures. */
function recordingBroker(delayedDelivery = true) {
  const published: Published[] = [];
  const calls: number[] = [];
  const state = { failNext: 0, refuse: (_event: Envelope) => false, gate: Promise.resolve() };
  const broker = {
    capabilities: { engine: 'memory', delayedDelivery },
    async publish(topic: string, events: Envelope | readonly Envelope[], options = {}) {
      const list = Array.isArray(events) ? events : [events as Envelope];
      await state.gate;
      if (state.failNext > 0) {
        state.failNext--;
        throw new EngineError('broker unavailable');
      }
      if (list.some(state.refuse)) throw new ValidationError('event too large');
      calls.push(list.length);
      for (const event of list) published.push({ topic, data: event.data, options });
      return { offsets: list.map(() => 0) };
    },
  } as unknown as Broker;
  return { broker, published, calls, state };
}

function start(source: OutboxSource, broker: Broker, errors: Error[] = []) {
  return new OutboxForwarder({
    source,
    broker,
    pollMs: 50,
    retryMs: 10,
    onError: (error) => errors.push(error),
  }).start();
}

test('publishes committed rows in id order, one publish per run of a topic', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published, calls } = recordingBroker();
  for (const [i, topic] of ['a', 'a', 'b', 'a', 'a', 'a'].entries()) outbox.add(topic, i);
  const forwarder = start(outbox, broker);
  t.after(() => forwarder.close());
  await waitFor('all published', () => published.length === 6);
  assert.deepEqual(
    published.map((p) => [p.topic, p.data]),
    [
      ['a', 0],
      ['a', 1],
      ['b', 2],
      ['a', 3],
      ['a', 4],
      ['a', 5],
    ],
  );
  assert.deepEqual(calls, [2, 1, 3]);
  await waitFor('outbox emptied', () => outbox.committed.size === 0);
  assert.equal(forwarder.forwarded, 6);
});

test('a row that commits after a higher id was forwarded is still forwarded', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published } = recordingBroker();
  const forwarder = start(outbox, broker);
  t.after(() => forwarder.close());
  const a = outbox.reserve(); // transaction A takes the lower id and stays open
  outbox.add('trap', 'B'); // B commits first
  await waitFor('B published', () => published.length === 1);
  outbox.commit(a, 'trap', 'A');
  await waitFor('A published', () => published.length === 2);
  assert.deepEqual(
    published.map((p) => p.data),
    ['B', 'A'],
  );
  await delay(100);
  assert.equal(published.length, 2, 'nothing published twice');
});

test('a failed publish keeps its rows: they go out later, in order', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published, state } = recordingBroker();
  state.failNext = 3;
  for (let i = 0; i < 5; i++) outbox.add('t', i);
  const errors: Error[] = [];
  const forwarder = start(outbox, broker, errors);
  t.after(() => forwarder.close());
  await waitFor('published after retries', () => published.length === 5);
  assert.deepEqual(
    published.map((p) => p.data),
    [0, 1, 2, 3, 4],
  );
  assert.equal(errors.length, 3);
  assert.match(errors[0]!.message, /broker unavailable/);
});

test('runs published before a failure are deleted, the rest republished', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published, state } = recordingBroker();
  outbox.add('x', 1);
  outbox.add('y', 2);
  let publishes = 0;
  const publish = broker.publish.bind(broker);
  broker.publish = async (...args) => {
    if (++publishes === 2) state.failNext = 1;
    return publish(...args);
  };
  const forwarder = start(outbox, broker);
  t.after(() => forwarder.close());
  await waitFor('both published', () => published.length === 2);
  await waitFor('outbox emptied', () => outbox.committed.size === 0);
  assert.deepEqual(
    published.map((p) => p.data),
    [1, 2],
    'x was not republished',
  );
});

test('an event the broker refuses for good is moved aside; the rest flows in order', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published, state } = recordingBroker();
  state.refuse = (event) => event.data === 'huge';
  outbox.add('t', 'first');
  const huge = outbox.reserve();
  outbox.commit(huge, 't', 'huge');
  outbox.add('t', 'last');
  const errors: Error[] = [];
  const forwarder = start(outbox, broker, errors);
  t.after(() => forwarder.close());
  await waitFor('others published', () => published.length === 2);
  assert.deepEqual(
    published.map((p) => p.data),
    ['first', 'last'],
  );
  assert.match(outbox.rejected.get(huge) ?? '', /EY_VALIDATION: event too large/);
  assert.match(errors[0]!.message, /moved aside/);
});

test('delayed rows: passed on with deliverAt, or held until due without broker support', async (t) => {
  const due = Date.now() + 300;
  const delaying = recordingBroker(true);
  const withDelay = new MemoryOutbox();
  withDelay.add('t', 'later', due);
  const first = start(withDelay, delaying.broker);
  t.after(() => first.close());
  await waitFor('published at once', () => delaying.published.length === 1);
  assert.ok(Date.now() < due, 'did not wait for the time');
  assert.deepEqual(delaying.published[0]!.options, { deliverAt: due });

  const plain = recordingBroker(false);
  const held = new MemoryOutbox();
  held.add('t', 'later', due);
  held.add('t', 'now');
  const second = start(held, plain.broker);
  t.after(() => second.close());
  await waitFor('undelayed row published', () => plain.published.length === 1);
  assert.equal(plain.published[0]!.data, 'now');
  await waitFor('delayed row published when due', () => plain.published.length === 2, 5_000);
  assert.ok(Date.now() >= due, 'published before its time');
  assert.deepEqual(plain.published[1], { topic: 't', data: 'later', options: {} });
});

test('a lost lease is released and taken again; nothing is lost', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published } = recordingBroker();
  const errors: Error[] = [];
  const forwarder = start(outbox, broker, errors);
  t.after(() => forwarder.close());
  outbox.add('t', 1);
  await waitFor('first published', () => published.length === 1);
  outbox.loseLease = true;
  outbox.add('t', 2);
  await waitFor('second published', () => published.length === 2);
  assert.ok(outbox.leases >= 2, 'led again');
  assert.match(errors[0]!.message, /connection lost/);
  assert.deepEqual(
    published.map((p) => p.data),
    [1, 2],
  );
});

test('one forwarder leads at a time; a standby takes over when it closes', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published } = recordingBroker();
  const one = start(outbox, broker);
  const two = start(outbox, broker);
  t.after(() => Promise.all([one.close(), two.close()]));
  await waitFor('a leader', () => one.leading || two.leading);
  const [leader, standby] = one.leading ? [one, two] : [two, one];
  outbox.add('t', 1);
  await waitFor('published', () => published.length === 1);
  assert.equal(standby.leading, false);
  await leader.close();
  outbox.add('t', 2);
  await waitFor('standby took over', () => published.length === 2);
  assert.equal(standby.leading, true);
  assert.equal(outbox.maxConcurrentLeases, 1);
});

test('close finishes the round in progress, then releases the lease', async (t) => {
  const outbox = new MemoryOutbox();
  const { broker, published, state } = recordingBroker();
  let open!: () => void;
  state.gate = new Promise((resolve) => {
    open = resolve;
  });
  outbox.add('t', 1);
  const forwarder = start(outbox, broker);
  t.after(() => forwarder.close());
  await waitFor('leading', () => forwarder.leading);
  await delay(20);
  const closed = forwarder.close();
  open();
  await closed;
  assert.equal(published.length, 1);
  assert.equal(outbox.committed.size, 0, 'the published row was deleted');
  assert.equal(forwarder.leading, false);
  assert.equal(outbox.maxConcurrentLeases, 1);
  const next = start(outbox, broker);
  t.after(() => next.close());
  await waitFor('lease free again', () => next.leading);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedDispatcher } from '../../../src/core/subscription/keyed-dispatcher.ts';

interface Item {
  readonly key: string | undefined;
  readonly id: string;
}

/** A promise whose settling the test controls. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

function tick(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Records starts and ends of runs to measure overlap. */
class RunLog {
  running = 0;
  maxRunning = 0;
  readonly runningByKey = new Map<string, number>();
  readonly order = new Map<string, string[]>();
  readonly overlapsWithinKey: string[] = [];
  started = 0;
  finished = 0;

  start(item: Item): void {
    this.started++;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    if (item.key === undefined) return;
    const sameKey = (this.runningByKey.get(item.key) ?? 0) + 1;
    this.runningByKey.set(item.key, sameKey);
    if (sameKey > 1) this.overlapsWithinKey.push(item.id);
    const order = this.order.get(item.key) ?? [];
    order.push(item.id);
    this.order.set(item.key, order);
  }

  end(item: Item): void {
    this.finished++;
    this.running--;
    if (item.key !== undefined) {
      this.runningByKey.set(item.key, this.runningByKey.get(item.key)! - 1);
    }
  }
}

describe('KeyedDispatcher', () => {
  test('given 6 keys x 20 items and concurrency 4, when dispatched, then each key runs in arrival order without overlap while keys overlap up to 4', async () => {
    const log = new RunLog();
    let turn = 0;
    const dispatcher = new KeyedDispatcher<Item>(async (item) => {
      log.start(item);
      await tick(turn++ % 3); // uneven durations so keys finish out of step
      log.end(item);
    }, 4);
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    const expected = new Map(keys.map((key) => [key, [] as string[]]));
    for (let i = 0; i < 20; i++) {
      for (const key of keys) {
        const id = `${key}${i}`;
        expected.get(key)!.push(id);
        dispatcher.push({ key, id });
      }
    }
    assert.equal(dispatcher.size, 120);
    await waitUntil(() => log.finished === 120);
    await dispatcher.idle();

    assert.deepEqual(log.overlapsWithinKey, [], 'items of one key ran at the same time');
    assert.deepEqual(log.order, expected, 'items of one key ran out of arrival order');
    assert.equal(log.maxRunning, 4, 'different keys did not run side by side up to the limit');
    assert.equal(dispatcher.size, 0);
  });

  test('given concurrency 3 and mixed keyed and unkeyed items, when dispatched, then never more than 3 run at once', async () => {
    const log = new RunLog();
    const dispatcher = new KeyedDispatcher<Item>(async (item) => {
      log.start(item);
      await tick(1);
      log.end(item);
    }, 3);
    for (let i = 0; i < 60; i++) {
      dispatcher.push({ key: i % 4 === 0 ? undefined : `k${i % 7}`, id: `i${i}` });
    }
    await waitUntil(() => log.finished === 60);
    assert.equal(log.maxRunning, 3);
    assert.equal(log.started, 60);
  });

  test('given unkeyed items, when dispatched with room, then they all run at once', async () => {
    const release = gate();
    const running: string[] = [];
    const dispatcher = new KeyedDispatcher<Item>(async (item) => {
      running.push(item.id);
      await release.promise;
    }, 4);
    for (const id of ['u1', 'u2', 'u3']) dispatcher.push({ key: undefined, id });
    await tick();
    assert.deepEqual(running, ['u1', 'u2', 'u3']);
    release.open();
    await dispatcher.idle();
  });

  test('given one key and room to spare, when dispatched, then only one of its items runs at a time', async () => {
    const gates = [gate(), gate()];
    const running: string[] = [];
    const dispatcher = new KeyedDispatcher<Item>(async (item) => {
      running.push(item.id);
      await gates[Number(item.id)]!.promise;
    }, 4);
    dispatcher.push({ key: 'k', id: '0' });
    dispatcher.push({ key: 'k', id: '1' });
    await tick();
    assert.deepEqual(running, ['0']);
    gates[0]!.open();
    await tick();
    assert.deepEqual(running, ['0', '1']);
    gates[1]!.open();
    await dispatcher.idle();
  });

  test('given running and waiting items, when stopped, then exactly the waiting ones come back and idle waits for the running ones', async () => {
    const gates = new Map<string, ReturnType<typeof gate>>();
    const started: string[] = [];
    const dispatcher = new KeyedDispatcher<Item>(async (item) => {
      started.push(item.id);
      const g = gate();
      gates.set(item.id, g);
      await g.promise;
    }, 2);
    dispatcher.push({ key: 'a', id: 'a1' });
    dispatcher.push({ key: 'b', id: 'b1' });
    dispatcher.push({ key: 'a', id: 'a2' });
    dispatcher.push({ key: 'a', id: 'a3' });
    dispatcher.push({ key: 'c', id: 'c1' }); // lane waiting for a slot, not running
    dispatcher.push({ key: undefined, id: 'u1' });
    await tick();
    assert.deepEqual(started, ['a1', 'b1']);

    const waiting = dispatcher.stop();
    assert.deepEqual(waiting.map((item) => item.id).sort(), ['a2', 'a3', 'c1', 'u1']);
    assert.equal(dispatcher.size, 2, 'size should count only the running items');
    assert.throws(() => dispatcher.push({ key: 'a', id: 'late' }), /stopped/);

    let idle = false;
    const idled = dispatcher.idle().then(() => {
      idle = true;
    });
    gates.get('a1')!.open();
    await tick();
    assert.equal(idle, false, 'idle resolved while b1 still ran');
    assert.deepEqual(started, ['a1', 'b1'], 'a waiting item started after stop');
    gates.get('b1')!.open();
    await idled;
    assert.deepEqual(started, ['a1', 'b1']);
    assert.equal(dispatcher.size, 0);
  });

  test('given work that finishes synchronously, when items of 3 keys are pushed, then each runs at once in arrival order and nothing stays counted', () => {
    const ran: string[] = [];
    const dispatcher = new KeyedDispatcher<Item>((item) => {
      ran.push(item.id);
      return undefined;
    }, 2);
    for (let i = 0; i < 5; i++) {
      for (const key of ['a', 'b', undefined]) dispatcher.push({ key, id: `${key ?? 'u'}${i}` });
    }
    assert.equal(ran.length, 15, 'a synchronous item did not run inside push');
    for (const key of ['a', 'b', 'u']) {
      assert.deepEqual(
        ran.filter((id) => id.startsWith(key)),
        [0, 1, 2, 3, 4].map((i) => `${key}${i}`),
      );
    }
    assert.equal(dispatcher.size, 0);
  });

  test('given a key whose first item is asynchronous and later ones synchronous, when dispatched, then the later ones wait for it and keep their order', async () => {
    const ran: string[] = [];
    const first = gate();
    const dispatcher = new KeyedDispatcher<Item>((item) => {
      ran.push(item.id);
      return item.id === 'a0' ? first.promise : undefined;
    }, 4);
    for (let i = 0; i < 4; i++) dispatcher.push({ key: 'a', id: `a${i}` });
    dispatcher.push({ key: 'b', id: 'b0' });
    assert.deepEqual(ran, ['a0', 'b0'], 'a later item of key a ran before a0 finished');
    assert.equal(dispatcher.size, 4);
    first.open();
    await dispatcher.idle();
    await waitUntil(() => ran.length === 5);
    assert.deepEqual(ran, ['a0', 'b0', 'a1', 'a2', 'a3']);
    assert.equal(dispatcher.size, 0);
  });

  test('given nothing running, when idle is asked for, then it resolves at once', async () => {
    const dispatcher = new KeyedDispatcher<Item>(async () => {}, 1);
    await dispatcher.idle();
    assert.deepEqual(dispatcher.stop(), []);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await tick(1);
  }
}

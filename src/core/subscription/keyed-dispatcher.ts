/**
 * Runs work items with a concurrency limit while keeping per-key order:
 * items with the same key run one after another in arrival order, items
 * with different keys (or none) run side by side. This is what keeps order
 * when a group handles with concurrency > 1, where peers lose it.
 */

export interface KeyedItem {
  /** Items with equal keys run in arrival order; undefined means no order. */
  readonly key: string | undefined;
}

class Lane<T> {
  readonly items: T[];
  head = 0;
  running = false;
  constructor(
    readonly key: string,
    first: T,
  ) {
    this.items = [first];
  }
}

/** An item's run: undefined when it finished synchronously, else a promise that never rejects. */
export type RunItem<T> = (item: T) => Promise<void> | undefined;

export class KeyedDispatcher<T extends KeyedItem> {
  readonly #run: RunItem<T>;
  readonly #concurrency: number;
  readonly #lanes = new Map<string, Lane<T>>();
  /** Lanes and unkeyed items ready to start, oldest first. */
  #ready: Array<Lane<T> | T> = [];
  #readyHead = 0;
  #running = 0;
  #queued = 0;
  #stopped = false;
  #idleWaiters: Array<() => void> = [];

  /** `run` must not reject; it settles its item itself. */
  constructor(run: RunItem<T>, concurrency: number) {
    this.#run = run;
    this.#concurrency = concurrency;
  }

  /** Items accepted and not finished: queued plus running. */
  get size(): number {
    return this.#queued + this.#running;
  }

  push(item: T): void {
    if (this.#stopped) throw new Error('dispatcher is stopped');
    this.#queued++;
    const key = item.key;
    if (key === undefined) {
      this.#ready.push(item);
    } else {
      const lane = this.#lanes.get(key);
      if (lane) {
        lane.items.push(item);
        return;
      }
      const fresh = new Lane(key, item);
      this.#lanes.set(key, fresh);
      this.#ready.push(fresh);
    }
    this.#pump();
  }

  /**
   * Starts nothing more and returns the items that were waiting, so the
   * caller can give them back; running items finish (see `idle`).
   */
  stop(): T[] {
    this.#stopped = true;
    const waiting: T[] = [];
    for (let i = this.#readyHead; i < this.#ready.length; i++) {
      const entry = this.#ready[i]!;
      if (!(entry instanceof Lane)) waiting.push(entry);
    }
    for (const lane of this.#lanes.values()) {
      // A running lane's head item is running, not waiting.
      const from = lane.head + (lane.running ? 1 : 0);
      for (let i = from; i < lane.items.length; i++) waiting.push(lane.items[i]!);
    }
    this.#ready = [];
    this.#readyHead = 0;
    this.#queued -= waiting.length;
    return waiting;
  }

  /** Resolves when nothing runs. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.#readyHead < this.#ready.length) {
      const entry = this.#ready[this.#readyHead]!;
      this.#ready[this.#readyHead] = undefined as unknown as T;
      this.#readyHead++;
      if (this.#readyHead > 1024 && this.#readyHead * 2 > this.#ready.length) {
        this.#ready = this.#ready.slice(this.#readyHead);
        this.#readyHead = 0;
      }
      this.#queued--;
      this.#running++;
      // Work that finished synchronously is counted off here and the loop goes on; only
      // asynchronous work costs a continuation.
      if (entry instanceof Lane) {
        entry.running = true;
        const running = this.#run(entry.items[entry.head]!);
        if (running) {
          running.then(() => {
            this.#laneItemDone(entry);
            this.#itemDone();
          });
        } else {
          this.#laneItemDone(entry);
          this.#running--;
        }
      } else {
        const running = this.#run(entry);
        if (running) running.then(() => this.#itemDone());
        else this.#running--;
      }
    }
    this.#notifyIdle();
  }

  #laneItemDone(lane: Lane<T>): void {
    lane.running = false;
    lane.items[lane.head] = undefined as unknown as T;
    lane.head++;
    if (lane.head >= lane.items.length) {
      this.#lanes.delete(lane.key);
    } else if (!this.#stopped) {
      if (lane.head > 256) {
        lane.items.splice(0, lane.head);
        lane.head = 0;
      }
      // The lane's next item waits its turn behind other ready work.
      this.#ready.push(lane);
    }
  }

  #itemDone(): void {
    this.#running--;
    if (!this.#stopped) this.#pump();
    else this.#notifyIdle();
  }

  #notifyIdle(): void {
    if (this.#running === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}

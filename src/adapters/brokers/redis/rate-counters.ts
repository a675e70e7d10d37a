/**
 * Appended and acknowledged counts per topic and minute, in Redis so any
 * process (the CLI too) reads the rates of all. Counts gather in memory and
 * are written once a second (HINCRBY, expiring after three minutes): a
 * crash loses at most a second of statistics, never an event.
 */
import type { Redis } from 'ioredis';
import type { TopicKeys } from './redis-keys.ts';

const MINUTE = 60_000;
const KEEP_SECONDS = 180;

interface PendingCount {
  readonly keys: TopicKeys;
  readonly field: string;
  readonly minute: number;
  count: number;
}

export class RateCounters {
  readonly #client: Redis;
  readonly #onError: (error: Error) => void;
  #pending = new Map<string, PendingCount>();
  #timer: NodeJS.Timeout | undefined;

  constructor(client: Redis, onError: (error: Error) => void) {
    this.#client = client;
    this.#onError = onError;
  }

  add(keys: TopicKeys, field: string, count: number): void {
    const minute = Math.floor(Date.now() / MINUTE);
    const id = `${keys.topic}\u0000${field}\u0000${minute}`;
    const entry = this.#pending.get(id);
    if (entry) entry.count += count;
    else this.#pending.set(id, { keys, field, minute, count });
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), 1_000);
      this.#timer.unref();
    }
  }

  /** Events per second over the last minute, for each field (`PUBLISHED_FIELD` or a group). */
  async rates(keys: TopicKeys, fields: readonly string[], now = Date.now()): Promise<number[]> {
    if (fields.length === 0) return [];
    const minute = Math.floor(now / MINUTE);
    const [current, previous] = (await this.#client
      .pipeline()
      .hmget(keys.rate(minute), ...fields)
      .hmget(keys.rate(minute - 1), ...fields)
      .exec()) as [[Error | null, Array<string | null>], [Error | null, Array<string | null>]];
    if (current[0] || previous[0]) throw current[0] ?? previous[0];
    const elapsed = (now % MINUTE) / MINUTE;
    return fields.map((field, i) => {
      let thisMinute = Number(current[1][i] ?? 0);
      let lastMinute = Number(previous[1][i] ?? 0);
      for (const entry of this.#pending.values()) {
        if (entry.keys.topic !== keys.topic || entry.field !== field) continue;
        if (entry.minute === minute) thisMinute += entry.count;
        else if (entry.minute === minute - 1) lastMinute += entry.count;
      }
      return (thisMinute + lastMinute * (1 - elapsed)) / 60;
    });
  }

  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const entries = [...this.#pending.values()];
    this.#pending = new Map();
    const pipeline = this.#client.pipeline();
    for (const { keys, field, minute, count } of entries) {
      pipeline.hincrby(keys.rate(minute), field, count).expire(keys.rate(minute), KEEP_SECONDS);
    }
    try {
      await pipeline.exec();
    } catch (error) {
      this.#onError(error as Error);
    }
  }
}

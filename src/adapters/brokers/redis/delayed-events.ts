/**
 * Delayed delivery, done by Redis itself: a delayed event waits in the
 * topic's sorted set scored by its due time, and a Lua script moves the
 * due ones into the partition streams, taking their offsets then (so they
 * line up with events published at that moment). Any process of the
 * broker that consumes, or that scheduled an event, runs the mover; the
 * script is atomic, so an event is moved once however many run it. Due
 * times are compared with the Redis server's clock.
 */
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.ts';
import { delayedTopicsKey, type TopicKeys } from './redis-keys.ts';
import type { TopicRegistry } from './topic-registry.ts';

const BATCH = 256;

// KEYS: delayed zset, seq, stream of partition 0..P-1. ARGV: batch, maxLength.
// A member is `<order>|<partition or ->|<body>`; returns {moved, next due or -1, server now}.
const MOVE_DUE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local partitions = #KEYS - 2
local maxLength = tonumber(ARGV[2])
for _, member in ipairs(due) do
  local first = string.find(member, '|', 1, true)
  local second = string.find(member, '|', first + 1, true)
  local marker = string.sub(member, first + 1, second - 1)
  local offset = redis.call('INCR', KEYS[2])
  local p = offset % partitions
  if marker ~= '-' then p = tonumber(marker) end
  local o = string.format('%d', offset)
  local body = string.sub(member, second + 1)
  if maxLength > 0 then
    redis.call('XADD', KEYS[3 + p], 'MAXLEN', '~', maxLength, '*', 'o', o, 'e', body)
  else
    redis.call('XADD', KEYS[3 + p], '*', 'o', o, 'e', body)
  end
  redis.call('ZREM', KEYS[1], member)
end
local following = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local nextDue = -1
if #following > 0 then nextDue = tonumber(following[2]) end
return {#due, nextDue, now}
`);

let scheduled = 0;

/** Stores events to be appended at `deliverAt` (epoch ms). */
export async function scheduleEvents(
  client: Redis,
  prefix: string,
  keys: TopicKeys,
  partitions: readonly number[],
  bodies: readonly string[],
  deliverAt: number,
): Promise<void> {
  // The order part keeps events due at the same ms in publish order (members sort by bytes).
  const stamp = Date.now().toString(36).padStart(9, '0');
  const members: Array<string | number> = [];
  for (let i = 0; i < bodies.length; i++) {
    const order = `${stamp}.${(scheduled++).toString(36).padStart(8, '0')}`;
    const partition = partitions[i]! < 0 ? '-' : String(partitions[i]);
    members.push(deliverAt, `${order}|${partition}|${bodies[i]}`);
  }
  await client
    .pipeline()
    .sadd(delayedTopicsKey(prefix), keys.topic)
    .zadd(keys.delayed, ...members)
    .exec()
    .then(throwFirstError);
}

function throwFirstError(results: Array<[Error | null, unknown]> | null): void {
  for (const [error] of results ?? []) if (error) throw error;
}

export class DelayMover {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #registry: TopicRegistry;
  readonly #maxLength: number;
  readonly #pollMs: number;
  readonly #onError: (error: Error) => void;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #again = false;
  #started = false;
  #closed = false;

  constructor(options: {
    client: Redis;
    prefix: string;
    registry: TopicRegistry;
    maxLength: number;
    pollMs: number;
    onError: (error: Error) => void;
  }) {
    this.#client = options.client;
    this.#prefix = options.prefix;
    this.#registry = options.registry;
    this.#maxLength = options.maxLength;
    this.#pollMs = options.pollMs;
    this.#onError = options.onError;
  }

  /** Looks for due events now, and from then on until closed. */
  wake(): void {
    if (this.#closed) return;
    this.#started = true;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#tick();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #tick(): Promise<void> {
    this.#running = true;
    let wait = this.#pollMs;
    try {
      const topics = await this.#client.smembers(delayedTopicsKey(this.#prefix));
      for (const topic of topics) {
        const keys = await this.#registry.find(topic);
        if (keys) wait = Math.min(wait, await this.#moveDue(keys));
      }
    } catch (error) {
      if (!this.#closed) this.#onError(error as Error);
    }
    this.#running = false;
    if (this.#closed || !this.#started) return;
    if (this.#again) {
      this.#again = false;
      wait = 0;
    }
    this.#timer = setTimeout(() => void this.#tick(), Math.max(0, wait));
    this.#timer.unref();
  }

  /** Moves what is due; returns ms until the next event is due (capped by the poll interval). */
  async #moveDue(keys: TopicKeys): Promise<number> {
    for (;;) {
      const [moved, nextDue, now] = (await MOVE_DUE.run(
        this.#client,
        [keys.delayed, keys.seq, ...keys.streams],
        [BATCH, this.#maxLength],
      )) as [number, number, number];
      if (moved >= BATCH) continue;
      return nextDue < 0 ? this.#pollMs : Math.max(0, nextDue - now);
    }
  }
}

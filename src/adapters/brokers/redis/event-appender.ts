/**
 * Appends events to a topic: one Lua script takes as many offsets from the
 * topic's counter as there are events (INCRBY) and XADDs each event to its
 * partition stream with its offset, atomically. So offsets grow with the
 * stream ids of every partition, a topic's offsets in Redis are always a
 * gap-free prefix (no reader can see offset n+1 without n), and a crash
 * of the publishing process cannot leave an offset used twice. Stream ids
 * are Redis's own (`*`, the server's clock in ms), which is what lets a
 * time position map onto them. Concurrent publishes are committed as a
 * group: those of one turn of the event loop share script calls, which
 * is what lets many callers each awaiting one event keep up with raw
 * pipelined XADDs (bench/redis.ts).
 */
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.ts';
import type { TopicKeys } from './redis-keys.ts';

/**
 * Events per script call: a larger batch is split, so Redis is never held
 * for long, and so Redis and this process work at the same time. A turn's
 * chunks leave in one write: Redis answers the first while it runs the
 * rest, and the callers of the first publish again meanwhile. With one
 * call per 256 events the two took turns instead: 256 callers published
 * 68k events/s, against 110k/s in chunks of 64 (16 and 32 did as well;
 * raw pipelined XADDs did 78k/s), 100k events over 8 partitions, each
 * caller awaiting one event at a time.
 */
const CHUNK = 64;

// KEYS: seq, stream of partition 0..P-1. ARGV: maxLength, then (partition | -1, body) per event.
// A keyless event (-1) goes to partition offset % P, as on the embedded log.
const APPEND = new LuaScript(`
local partitions = #KEYS - 1
local count = (#ARGV - 1) / 2
local last = redis.call('INCRBY', KEYS[1], count)
local first = last - count + 1
local maxLength = tonumber(ARGV[1])
for i = 0, count - 1 do
  local offset = first + i
  local p = tonumber(ARGV[2 + i * 2])
  if p < 0 then p = offset % partitions end
  local o = string.format('%d', offset)
  if maxLength > 0 then
    redis.call('XADD', KEYS[2 + p], 'MAXLEN', '~', maxLength, '*', 'o', o, 'e', ARGV[3 + i * 2])
  else
    redis.call('XADD', KEYS[2 + p], '*', 'o', o, 'e', ARGV[3 + i * 2])
  end
end
return first
`);

interface Waiting {
  readonly partitions: readonly number[];
  readonly bodies: readonly string[];
  readonly offsets: number[];
  /** Events of it whose chunk has not answered yet. */
  left: number;
  readonly resolve: (offsets: number[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Batch {
  readonly keys: TopicKeys;
  readonly waiting: Waiting[];
}

export class EventAppender {
  readonly #client: Redis;
  readonly #maxLength: number;
  /** Publishes of this turn of the event loop, per topic, in call order. */
  #batches = new Map<string, Batch>();
  #scheduled = false;

  constructor(client: Redis, maxLength: number) {
    this.#client = client;
    this.#maxLength = maxLength;
  }

  /**
   * Appends `bodies` (partition -1: by offset); resolves with their offsets
   * once Redis has them. Publishes made in the same turn of the event loop
   * go out together, up to CHUNK events per script call (group commit: one
   * INCRBY and one round trip for many concurrent callers), in call order.
   */
  append(
    keys: TopicKeys,
    partitions: readonly number[],
    bodies: readonly string[],
  ): Promise<number[]> {
    if (bodies.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const offsets = new Array<number>(bodies.length);
      const waiting = { partitions, bodies, offsets, left: bodies.length, resolve, reject };
      const batch = this.#batches.get(keys.topic);
      if (batch) batch.waiting.push(waiting);
      else this.#batches.set(keys.topic, { keys, waiting: [waiting] });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batches = this.#batches;
    this.#batches = new Map();
    for (const batch of batches.values()) this.#send(batch);
  }

  /** Sends a topic's batch in chunks, back to back on one connection, so Redis runs them in order. */
  #send({ keys, waiting }: Batch): void {
    let args: Array<string | number> = [this.#maxLength];
    let parts: Array<{ waiting: Waiting; index: number }> = [];
    const flushChunk = () => {
      const chunk = parts;
      APPEND.run(this.#client, [keys.seq, ...keys.streams], args).then(
        (first) => {
          chunk.forEach(({ waiting, index }, i) => {
            waiting.offsets[index] = Number(first) + i;
            if (--waiting.left === 0) waiting.resolve(waiting.offsets);
          });
        },
        (error: unknown) => {
          for (const { waiting } of chunk) waiting.reject(error);
        },
      );
      args = [this.#maxLength];
      parts = [];
    };
    for (const w of waiting) {
      for (let i = 0; i < w.bodies.length; i++) {
        args.push(w.partitions[i]!, w.bodies[i]!);
        parts.push({ waiting: w, index: i });
        if (parts.length === CHUNK) flushChunk();
      }
    }
    if (parts.length > 0) flushChunk();
  }
}

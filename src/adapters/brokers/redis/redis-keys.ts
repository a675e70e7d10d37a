/**
 * Where everything of the Redis broker lives. Every key of one topic
 * carries the hash tag `{topic}`, so the publish script (a counter and the
 * partition streams in one atomic step) stays in one slot on Redis Cluster
 * too. Topic and group names cannot contain `:`, `{` or `}` (core/topic.ts),
 * so no two names map onto one key.
 *
 *   <prefix>:topics                        hash   topic -> partitions (the topic registry)
 *   <prefix>:delayed-topics                set    topics that have ever held delayed events
 *   <prefix>:{topic}:<p>                   stream partition p: entries `o` (offset), `e` (envelope JSON)
 *   <prefix>:{topic}:seq                   string last offset given out (INCRBY in the publish script)
 *   <prefix>:{topic}:delayed               zset   delayed events, scored by due time (ms)
 *   <prefix>:{topic}:rate:<minute>         hash   appends (`>`) and acks (per group) in that minute
 *   <prefix>:{topic}:g:<group>:members     zset   live members, scored by lease expiry (server ms)
 *   <prefix>:{topic}:g:<group>:owner:<p>   string member holding partition p (PX lease)
 *   <prefix>:{topic}:g:<group>:attempts    hash   offset -> failed tries recorded (recordFailure)
 *   <prefix>:{topic}:g:<group>:rebalance   pub/sub channel: membership or ownership changed
 */

export class TopicKeys {
  readonly topic: string;
  readonly partitions: number;
  readonly seq: string;
  readonly delayed: string;
  /** Stream key of each partition, index = partition. */
  readonly streams: readonly string[];
  readonly #base: string;

  constructor(prefix: string, topic: string, partitions: number) {
    this.topic = topic;
    this.partitions = partitions;
    this.#base = `${prefix}:{${topic}}`;
    this.seq = `${this.#base}:seq`;
    this.delayed = `${this.#base}:delayed`;
    this.streams = Array.from({ length: partitions }, (_, p) => `${this.#base}:${p}`);
  }

  rate(minute: number): string {
    return `${this.#base}:rate:${minute}`;
  }

  group(group: string): GroupKeys {
    return new GroupKeys(`${this.#base}:g:${group}`, this.partitions);
  }
}

export class GroupKeys {
  readonly members: string;
  readonly attempts: string;
  readonly rebalance: string;
  /** Lease key of each partition, index = partition. */
  readonly owners: readonly string[];

  constructor(base: string, partitions: number) {
    this.members = `${base}:members`;
    this.attempts = `${base}:attempts`;
    this.rebalance = `${base}:rebalance`;
    this.owners = Array.from({ length: partitions }, (_, p) => `${base}:owner:${p}`);
  }
}

/** Field of a rate hash that counts appends; not a valid group name. */
export const PUBLISHED_FIELD = '>';

export function registryKey(prefix: string): string {
  return `${prefix}:topics`;
}

export function delayedTopicsKey(prefix: string): string {
  return `${prefix}:delayed-topics`;
}

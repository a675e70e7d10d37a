/**
 * Topics of the Redis broker and their partition counts, in one hash. A
 * topic is registered on first use by whichever process uses it first,
 * with that process's partition count, and keeps it: every process then
 * maps a key to the same partition stream.
 */
import type { Redis } from 'ioredis';
import { registryKey, TopicKeys } from './redis-keys.ts';

export class TopicRegistry {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #partitions: number;
  readonly #known = new Map<string, TopicKeys>();

  constructor(client: Redis, prefix: string, partitions: number) {
    this.#client = client;
    this.#prefix = prefix;
    this.#partitions = partitions;
  }

  /** The topic's keys, registering it if it is new. */
  async ensure(topic: string): Promise<TopicKeys> {
    const known = this.#known.get(topic);
    if (known) return known;
    const key = registryKey(this.#prefix);
    const [, [, partitions]] = (await this.#client
      .multi()
      .hsetnx(key, topic, this.#partitions)
      .hget(key, topic)
      .exec()) as [[null, number], [null, string]];
    return this.#remember(topic, Number(partitions));
  }

  /** The topic's keys if some process registered it. */
  async find(topic: string): Promise<TopicKeys | undefined> {
    const known = this.#known.get(topic);
    if (known) return known;
    const partitions = await this.#client.hget(registryKey(this.#prefix), topic);
    return partitions === null ? undefined : this.#remember(topic, Number(partitions));
  }

  async all(): Promise<TopicKeys[]> {
    const entries = await this.#client.hgetall(registryKey(this.#prefix));
    return Object.entries(entries)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(
        ([topic, partitions]) =>
          this.#known.get(topic) ?? this.#remember(topic, Number(partitions)),
      );
  }

  #remember(topic: string, partitions: number): TopicKeys {
    const keys = new TopicKeys(this.#prefix, topic, partitions);
    this.#known.set(topic, keys);
    return keys;
  }
}

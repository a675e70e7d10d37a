/**
 * One file-backed stream per topic, made on first use. A stream that
 * exists keeps its partition count, whatever this process was configured
 * with, so every process agrees on which partition a key belongs to.
 */
import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { describeError } from '../../../core/errors.ts';
import { TopicNames, topicOfStream } from './nats-names.ts';

export class TopicStreams {
  readonly #known = new Map<string, Promise<TopicNames>>();

  constructor(
    readonly jsm: () => JetStreamManager,
    readonly prefix: string,
    readonly partitions: number,
    readonly replicas: number,
  ) {}

  /** The topic's names, its stream created if missing. */
  ensure(topic: string): Promise<TopicNames> {
    let known = this.#known.get(topic);
    if (!known) {
      known = this.#ensure(topic);
      this.#known.set(topic, known);
      known.catch(() => this.#known.delete(topic));
    }
    return known;
  }

  /** The topic's names if its stream exists. */
  async find(topic: string): Promise<TopicNames | undefined> {
    const info = await this.#info(new TopicNames(this.prefix, topic, 1).stream);
    return info ? this.#namesOf(info) : undefined;
  }

  /** Every topic stream of this prefix. */
  async all(): Promise<Array<{ names: TopicNames; info: StreamInfo }>> {
    const found: Array<{ names: TopicNames; info: StreamInfo }> = [];
    for await (const info of this.jsm().streams.list(`${this.prefix}.>`)) {
      const names = this.#namesOf(info);
      if (names) found.push({ names, info });
    }
    return found.sort((a, b) => a.names.topic.localeCompare(b.names.topic));
  }

  async #ensure(topic: string): Promise<TopicNames> {
    const wanted = new TopicNames(this.prefix, topic, this.partitions);
    const existing = await this.#info(wanted.stream);
    if (existing) return this.#namesOf(existing) ?? wanted;
    try {
      await this.jsm().streams.add({
        name: wanted.stream,
        description: `eventyard topic ${topic}`,
        subjects: wanted.subjects,
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        discard: DiscardPolicy.Old,
        num_replicas: this.replicas,
        duplicate_window: 120_000_000_000,
      });
      return wanted;
    } catch (error) {
      // Another process made it meanwhile: take its partition count.
      const raced = await this.#info(wanted.stream);
      if (raced) return this.#namesOf(raced) ?? wanted;
      throw error;
    }
  }

  #namesOf(info: StreamInfo): TopicNames | undefined {
    const found = topicOfStream(this.prefix, info.config.subjects ?? []);
    if (!found) return undefined;
    const names = new TopicNames(this.prefix, found.topic, found.partitions);
    return names.stream === info.config.name ? names : undefined;
  }

  async #info(stream: string): Promise<StreamInfo | undefined> {
    try {
      return await this.jsm().streams.info(stream);
    } catch (error) {
      if (/not found/i.test(describeError(error))) return undefined;
      throw error;
    }
  }
}

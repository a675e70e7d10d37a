/**
 * The names of everything the RabbitMQ broker declares, all under one
 * prefix so several deployments (or test runs) share a server without
 * meeting. Topic and group names never contain ':' (core/topic.ts), so ':'
 * separates the parts and two different (topic, group) pairs never map to
 * one name. RabbitMQ caps names at 255 bytes: a longer one keeps a readable
 * prefix and ends in a hash of the whole.
 */
import { createHash } from 'node:crypto';

const MAX_NAME = 255;

function fit(name: string): string {
  if (name.length <= MAX_NAME) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 24);
  return `${name.slice(0, MAX_NAME - hash.length - 1)}~${hash}`;
}

export class RabbitMqNames {
  constructor(readonly prefix: string) {}

  /**
   * The direct exchange every topic stream is bound to, with the topic as
   * routing key: what foreign publishers (MinIO's AMQP target) publish to.
   */
  get exchange(): string {
    return this.prefix;
  }

  /** The stream queue holding a topic's events (its history and offsets). */
  topic(topic: string): string {
    return fit(`${this.prefix}:${topic}`);
  }

  /** The stream listing every topic and group of the prefix. */
  get catalog(): string {
    return `${this.prefix}::catalog`;
  }

  /** The one-message queue holding a partition's committed position and recorded failures. */
  register(topic: string, group: string, partition: number): string {
    return fit(`${this.prefix}:${topic}:${group}:position:${partition}`);
  }

  /** The exclusive queue whose existence says a member holds a partition of a group. */
  lease(topic: string, group: string, partition: number): string {
    return fit(`${this.prefix}:${topic}:${group}:lease:${partition}`);
  }

  /** The fanout exchange the members of a group announce themselves on. */
  members(topic: string, group: string): string {
    return fit(`${this.prefix}:${topic}:${group}:members`);
  }
}

/**
 * How topics and groups map onto JetStream names. Topic and group names
 * (core/topic.ts) use letters, digits, '_', '-' and single dots; '~' never
 * occurs in them, so it marks what eventyard adds, and the prefix (no '_')
 * ends at the first '_' of a stream name. For prefix `ey` and topic `a.b`:
 *
 *   stream      ey_a~b
 *   subjects    ey.a.b       unpartitioned: events without a key, and
 *                            messages of outside producers (MinIO)
 *               ey.a.b.~0 .. ey.a.b.~7   one per partition
 *   consumers   <group>~0 .. <group>~7, <group>~u   (dots of the group as '~')
 *
 * Internal streams (`ey__leases`, `ey__attempts`) use subjects under
 * `ey._...`, which no topic can have (topics start with a letter or digit).
 */

export const UNKEYED = 'u';

export class TopicNames {
  readonly stream: string;
  /** Where events without a key, and outside producers' messages, go. */
  readonly unkeyedSubject: string;
  readonly partitionSubjects: readonly string[];

  constructor(
    readonly prefix: string,
    readonly topic: string,
    readonly partitions: number,
  ) {
    this.stream = streamNameOf(prefix, topic);
    this.unkeyedSubject = `${prefix}.${topic}`;
    this.partitionSubjects = Array.from(
      { length: partitions },
      (_, p) => `${prefix}.${topic}.~${p}`,
    );
  }

  get subjects(): string[] {
    return [this.unkeyedSubject, ...this.partitionSubjects];
  }

  /** Durable consumer of a group on a partition, or on the unkeyed subject. */
  consumer(group: string, partition: number | typeof UNKEYED): string {
    return `${group.replaceAll('.', '~')}~${partition}`;
  }

  /** Every consumer of a group, unkeyed last. */
  consumers(group: string): string[] {
    return [
      ...this.partitionSubjects.map((_, p) => this.consumer(group, p)),
      this.consumer(group, UNKEYED),
    ];
  }

  /** Lease subjects of a group's members and partition owners. */
  leaseBase(group: string): string {
    return `${this.prefix}._lease.${this.stream}.${group.replaceAll('.', '~')}`;
  }

  attemptsSubject(group: string, offset: number): string {
    return `${this.prefix}._att.${this.stream}.${group.replaceAll('.', '~')}.${offset}`;
  }

  rebalanceSubject(group: string): string {
    return `${this.prefix}._rebalance.${this.stream}.${group.replaceAll('.', '~')}`;
  }
}

export function streamNameOf(prefix: string, topic: string): string {
  return `${prefix}_${topic.replaceAll('.', '~')}`;
}

/** The topic and partition count of a stream this prefix made, from its subjects. */
export function topicOfStream(
  prefix: string,
  subjects: readonly string[],
): { topic: string; partitions: number } | undefined {
  const unkeyed = subjects[0];
  if (!unkeyed?.startsWith(`${prefix}.`)) return undefined;
  const topic = unkeyed.slice(prefix.length + 1);
  if (topic.startsWith('_')) return undefined;
  return { topic, partitions: subjects.length - 1 };
}

/** The group and partition of one of its consumers' names. */
export function groupOfConsumer(name: string): { group: string; partition: string } | undefined {
  const cut = name.lastIndexOf('~');
  if (cut <= 0) return undefined;
  return { group: name.slice(0, cut).replaceAll('~', '.'), partition: name.slice(cut + 1) };
}

export function leaseStreamOf(prefix: string): string {
  return `${prefix}__leases`;
}

export function attemptsStreamOf(prefix: string): string {
  return `${prefix}__attempts`;
}

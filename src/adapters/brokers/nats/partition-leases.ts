/**
 * Which member of a group reads which partition. A JetStream pull consumer
 * hands any message to any puller; to keep a key's events in order across
 * the members of a group, each partition's consumer is pulled by one member
 * at a time, the holder of its lease. Leases live on a memory stream
 * (`<prefix>__leases`) whose messages expire after `leaseMs`:
 *
 *   <base>.m.<member>   a member's heartbeat (its being there is the member)
 *   <base>.p.<n>        partition n's holder, '' when released
 *
 * Live members are the heartbeat subjects; partition p is the share of the
 * member at index p % n of their sorted names, the same view for all. A
 * lease is taken and renewed with compare-and-set on the subject's last
 * sequence, so two members never both think they hold it. A member killed
 * with kill -9 stops renewing, and after `leaseMs` its partitions are free.
 */
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { ensureStream } from './ensure-stream.ts';
import { leaseStreamOf } from './nats-names.ts';

export interface Owner {
  readonly holder: string;
  /** Sequence of the subject's last message, 0 when there is none. */
  readonly seq: number;
}

export class PartitionLeases {
  readonly stream: string;

  constructor(
    readonly js: () => JetStreamClient,
    readonly jsm: () => JetStreamManager,
    readonly prefix: string,
    readonly leaseMs: number,
  ) {
    this.stream = leaseStreamOf(prefix);
  }

  async ensure(): Promise<void> {
    // Made by another process perhaps, with another leaseMs: the first one wins.
    await ensureStream(this.jsm(), {
      name: this.stream,
      subjects: [`${this.prefix}._lease.>`],
      storage: StorageType.Memory,
      max_msgs_per_subject: 1,
      max_age: this.leaseMs * 1_000_000,
      discard: DiscardPolicy.Old,
    });
  }

  async beat(base: string, member: string): Promise<void> {
    await this.js().publish(`${base}.m.${member}`, '1');
  }

  async leave(base: string, member: string): Promise<void> {
    await this.jsm().streams.purge(this.stream, { filter: `${base}.m.${member}` });
  }

  /** Names of the members alive now, sorted. */
  async members(base: string): Promise<string[]> {
    const info = await this.jsm().streams.info(this.stream, {
      subjects_filter: `${base}.m.*`,
    });
    const subjects = Object.keys(info.state.subjects ?? {});
    return subjects.map((s) => s.slice(base.length + 3)).sort();
  }

  async owner(base: string, partition: number): Promise<Owner> {
    const stored = await this.jsm().streams.getMessage(this.stream, {
      last_by_subj: `${base}.p.${partition}`,
    });
    if (!stored) return { holder: '', seq: 0 };
    return { holder: new TextDecoder().decode(stored.data), seq: stored.seq };
  }

  /** Sets the holder if the subject is still at `seq`; false when someone else moved first. */
  async set(base: string, partition: number, holder: string, seq: number): Promise<boolean> {
    try {
      await this.js().publish(`${base}.p.${partition}`, holder, {
        expect: { lastSubjectSequence: seq },
      });
      return true;
    } catch (error) {
      if (/wrong last sequence/i.test((error as Error).message)) return false;
      throw error;
    }
  }
}

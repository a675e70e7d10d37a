/**
 * Failed tries of a delivery, kept on the server so a policy's attempt
 * limit holds across restarts: one message per (group, offset) on the
 * `<prefix>__attempts` stream, the last one per subject kept, removed when
 * the delivery is acked or terminated. Only redeliveries look it up: a
 * first delivery has no recorded failure.
 */
import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { ensureStream } from './ensure-stream.ts';
import { attemptsStreamOf } from './nats-names.ts';

const WEEK_NS = 7 * 24 * 3600 * 1_000_000_000;

export class AttemptStore {
  readonly stream: string;

  constructor(
    readonly js: () => JetStreamClient,
    readonly jsm: () => JetStreamManager,
    readonly prefix: string,
    readonly replicas: number,
  ) {
    this.stream = attemptsStreamOf(prefix);
  }

  async ensure(): Promise<void> {
    await ensureStream(this.jsm(), {
      name: this.stream,
      subjects: [`${this.prefix}._att.>`],
      storage: StorageType.File,
      max_msgs_per_subject: 1,
      max_age: WEEK_NS,
      discard: DiscardPolicy.Old,
      num_replicas: this.replicas,
    });
  }

  async record(subject: string, attempt: number): Promise<void> {
    await this.js().publish(subject, String(attempt));
  }

  /** Failed tries recorded for the subject, 0 when none. */
  async recorded(subject: string): Promise<number> {
    const stored = await this.jsm().streams.getMessage(this.stream, { last_by_subj: subject });
    if (!stored) return 0;
    const value = Number(new TextDecoder().decode(stored.data));
    return Number.isSafeInteger(value) ? value : 0;
  }

  forget(subject: string, onError: (error: Error) => void): void {
    this.jsm()
      .streams.purge(this.stream, { filter: subject })
      .catch((error: Error) => onError(error));
  }
}

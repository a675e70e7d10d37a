/**
 * What one member knows of one partition it holds: the entries read and not
 * yet delivered (in stream order), how many deliveries are out, and where
 * it stands: taking over the partition's pending entries, reading, or
 * finishing up to release it. A new state is made each time the partition
 * is taken, so a delivery of an earlier holding never touches a later one.
 */
import type { Envelope } from '../../../core/envelope.ts';
import { compareIds } from './stream-entry.ts';

export interface PendingEntry {
  readonly id: string;
  readonly offset: number;
  readonly event: Envelope;
  /** Tries recorded for it plus one. */
  readonly attempt: number;
}

export type PartitionPhase = 'recovering' | 'reading' | 'releasing' | 'gone';

export class PartitionState {
  readonly partition: number;
  readonly stream: string;
  phase: PartitionPhase = 'recovering';
  /** Delivered and not settled. */
  inFlight = 0;
  /** Set while the release is under way. */
  releasing: Promise<void> | undefined;
  readonly timers = new Set<NodeJS.Timeout>();
  /** Ids of the entries this holding has and has not acknowledged: queued, out, or due again. */
  readonly known = new Set<string>();
  #queue: PendingEntry[] = [];
  #head = 0;

  constructor(partition: number, stream: string) {
    this.partition = partition;
    this.stream = stream;
  }

  get queued(): number {
    return this.#queue.length - this.#head;
  }

  /** Appends entries that follow everything queued (fresh reads, in stream order). */
  append(entries: readonly PendingEntry[]): void {
    if (this.#head > 0 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    for (const entry of entries) {
      this.#queue.push(entry);
      this.known.add(entry.id);
    }
  }

  /** Puts a redelivery back in stream order, so a key's events stay in order. */
  insert(entry: PendingEntry): void {
    let i = this.#queue.length;
    while (i > this.#head && compareIds(this.#queue[i - 1]!.id, entry.id) > 0) i--;
    this.#queue.splice(i, 0, entry);
  }

  peek(): PendingEntry | undefined {
    return this.#queue[this.#head];
  }

  shift(): PendingEntry | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const entry = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as unknown as PendingEntry;
    return entry;
  }

  /** Forgets queued entries and pending redeliveries; returns how many were queued. */
  clear(): number {
    const dropped = this.queued;
    this.#queue = [];
    this.#head = 0;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.known.clear();
    return dropped;
  }
}

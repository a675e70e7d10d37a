/**
 * What a member knows of one partition it holds: the next offset to look
 * at, the offsets delivered and not settled, and recorded failures. Its
 * position (what is committed) is the lowest unsettled offset, so a crash
 * redelivers everything not done with, and nothing done with twice
 * unless it was acknowledged after the last commit.
 */
import type { PartitionRecord } from './group-registers.ts';

export class PartitionHold {
  readonly outstanding = new Set<number>();
  readonly failures = new Map<number, number>();
  /** Stop delivering; give the partition up once `outstanding` is empty. */
  releasing = false;
  #saved = '';
  #seq: number;

  constructor(
    readonly partition: number,
    readonly register: string,
    readonly lease: string,
    public next: number,
    loaded: PartitionRecord | undefined,
  ) {
    for (const [offset, count] of Object.entries(loaded?.failures ?? {})) {
      this.failures.set(Number(offset), count);
    }
    this.#seq = Math.max(Date.now() * 1000, (loaded?.seq ?? 0) + 1);
    if (loaded) this.#saved = this.#key(loaded.position);
  }

  get position(): number {
    let lowest = this.next;
    for (const offset of this.outstanding) if (offset < lowest) lowest = offset;
    return lowest;
  }

  /** The record to save, or undefined when nothing changed since the last save. */
  pending(): { record: PartitionRecord; key: string } | undefined {
    const position = this.position;
    const key = this.#key(position);
    if (key === this.#saved) return undefined;
    const failures: Record<string, number> = {};
    for (const [offset, count] of this.failures) if (offset >= position) failures[offset] = count;
    return { record: { position, failures, seq: this.#seq++ }, key };
  }

  saved(key: string): void {
    this.#saved = key;
  }

  #key(position: number): string {
    return `${position}|${[...this.failures].join(',')}`;
  }
}

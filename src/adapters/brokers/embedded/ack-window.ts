/**
 * Which delivered offsets a group has settled. Deliveries finish out of
 * order (different keys run side by side); the committed position only
 * moves over a settled prefix, so after a crash everything not surely done
 * is delivered again.
 */
export class AckWindow {
  /** Delivered offsets, ascending, with whether each is settled. */
  readonly #open = new Map<number, boolean>();
  /** Next offset to deliver, i.e. where the position is when nothing is open. */
  #next: number;

  constructor(position: number) {
    this.#next = position;
  }

  /** Everything below this offset is settled. */
  get position(): number {
    for (const offset of this.#open.keys()) return offset;
    return this.#next;
  }

  get open(): number {
    return this.#open.size;
  }

  /** Records that `offset` was delivered; offsets come in ascending order. */
  delivered(offset: number): void {
    this.#open.set(offset, false);
    this.#next = offset + 1;
  }

  /** Offsets skipped (never delivered) up to `offset` count as done. */
  skipTo(offset: number): void {
    if (offset > this.#next) this.#next = offset;
  }

  settle(offset: number): void {
    if (!this.#open.has(offset)) return;
    this.#open.set(offset, true);
    for (const [open, settled] of this.#open) {
      if (!settled) return;
      this.#open.delete(open);
    }
  }

  isOpen(offset: number): boolean {
    return this.#open.get(offset) === false;
  }
}

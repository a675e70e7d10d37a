/**
 * Splits a member's `maxInFlight` between the consumers it pulls, so that
 * what it holds (delivered, unsettled) plus what it has asked the server
 * for and not yet received never exceeds it. A consumer whose last fetch
 * brought nothing is idle and asks for one message at a time; the busy
 * ones share the rest. So one busy partition (or the unkeyed subject) gets
 * nearly all of the budget, and eight busy ones an eighth each. The totals
 * are kept as the shares change, so asking costs the same for any number
 * of consumers.
 */

export class BudgetShare {
  #held = 0;
  #asked = 0;
  #busy = false;
  /** Counted in the budget's totals (until it leaves). */
  #counted = true;

  constructor(readonly budget: InFlightBudget) {}

  /** Delivered, not settled. */
  get held(): number {
    return this.#held;
  }

  set held(value: number) {
    if (this.#counted) this.budget.used += value - this.#held;
    this.#held = value;
  }

  /** Asked for by the open fetches and not received yet. */
  get asked(): number {
    return this.#asked;
  }

  set asked(value: number) {
    if (this.#counted) this.budget.used += value - this.#asked;
    this.#asked = value;
  }

  /** Its last fetch brought something, or it still holds some. */
  get busy(): boolean {
    return this.#busy;
  }

  set busy(value: boolean) {
    if (this.#counted && value !== this.#busy) this.budget.busyCount += value ? 1 : -1;
    this.#busy = value;
  }

  /** Takes what it still counts out of the budget's totals. */
  uncount(): void {
    this.budget.used -= this.#held + this.#asked;
    if (this.#busy) this.budget.busyCount--;
    this.#counted = false;
  }

  /** This share's part of the budget: held plus asked for stays within it. */
  own(): number {
    const b = this.budget;
    if (!this.#busy) return 1;
    return Math.max(1, Math.floor((b.max - b.idleCount()) / Math.max(1, b.busyCount)));
  }

  /** How many more to ask for now (0: wait for a settlement). */
  want(): number {
    const room = this.budget.max - this.budget.used;
    return Math.max(0, Math.min(this.own() - this.#held - this.#asked, room));
  }
}

export class InFlightBudget {
  readonly #shares = new Set<BudgetShare>();
  /** Held plus asked for, over all shares. */
  used = 0;
  busyCount = 0;

  constructor(readonly max: number) {}

  join(): BudgetShare {
    const share = new BudgetShare(this);
    this.#shares.add(share);
    return share;
  }

  leave(share: BudgetShare): void {
    if (this.#shares.delete(share)) share.uncount();
  }

  idleCount(): number {
    return this.#shares.size - this.busyCount;
  }
}

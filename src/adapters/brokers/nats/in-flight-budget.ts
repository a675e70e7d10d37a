/**
 * Splits a member's `maxInFlight` between the consumers it pulls, so that
 * what it holds (delivered, unsettled) plus what it has asked the server
 * for and not yet received never exceeds it. A consumer whose last fetch
 * brought nothing is idle and asks for one message at a time; the busy
 * ones share the rest. So one busy partition (or the unkeyed subject) gets
 * nearly all of the budget, and eight busy ones an eighth each.
 */

export class BudgetShare {
  held = 0;
  /** Asked for by the running fetch and not received yet. */
  asked = 0;
  busy = false;

  constructor(readonly budget: InFlightBudget) {}

  /** How many to ask for now (0: wait for a settlement). */
  want(): number {
    const b = this.budget;
    const own = this.busy ? Math.floor((b.max - b.idleCount()) / Math.max(1, b.busyCount())) : 1;
    const room = b.max - b.used();
    return Math.max(0, Math.min(Math.max(1, own) - this.held, room));
  }
}

export class InFlightBudget {
  readonly #shares = new Set<BudgetShare>();

  constructor(readonly max: number) {}

  join(): BudgetShare {
    const share = new BudgetShare(this);
    this.#shares.add(share);
    return share;
  }

  leave(share: BudgetShare): void {
    this.#shares.delete(share);
  }

  used(): number {
    let used = 0;
    for (const share of this.#shares) used += share.held + share.asked;
    return used;
  }

  busyCount(): number {
    let count = 0;
    for (const share of this.#shares) if (share.busy) count++;
    return count;
  }

  idleCount(): number {
    return this.#shares.size - this.busyCount();
  }
}

/**
 * The one writer of a SQLite connection. better-sqlite3 runs statements
 * synchronously, but a unit of work spans awaits; while it holds this lock
 * no other write (group commit, offset commit) may run on the connection,
 * or it would silently join the open transaction.
 */
export class WriteLock {
  #held = false;
  #waiters: Array<() => void> = [];
  #onFree: Array<() => void> = [];

  get held(): boolean {
    return this.#held;
  }

  /** Takes the lock at once if it is free. */
  tryAcquire(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  /** Waits for the lock, first come first served. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      next(); // hand over without freeing
      return;
    }
    this.#held = false;
    const callbacks = this.#onFree;
    this.#onFree = [];
    for (const callback of callbacks) callback();
  }

  /** Runs `callback` the next time the lock becomes free (at once if it is). */
  whenFree(callback: () => void): void {
    if (!this.#held) callback();
    else this.#onFree.push(callback);
  }
}

/**
 * At most `size` S3 requests in flight per client; the rest wait here, in
 * order. Without it a burst past the agent's `maxSockets` waits inside the
 * HTTP agent, where the SDK's connect timeout is already running (it stops
 * only once a socket is assigned), so a burst of a thousand deletes fails
 * with "did not establish a connection" although the server is fine.
 */
export class RequestSlots {
  readonly #size: number;
  readonly #waiting: Array<() => void> = [];
  #busy = 0;

  constructor(size: number) {
    this.#size = Math.max(1, size);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#busy >= this.#size) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#busy++;
    }
    try {
      return await work();
    } finally {
      // A waiter takes the slot over, so the count stays right.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy--;
    }
  }
}

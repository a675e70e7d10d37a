/**
 * Acknowledgements on their way to Redis. Settled deliveries gather for one
 * turn of the event loop and go out as one XACK per partition stream (with
 * the HDEL of their recorded failures) in a pipeline. XACK is idempotent,
 * so a batch that failed (connection lost) is simply sent again until it
 * goes through; an ack never sent leaves its entry pending, and it is
 * redelivered: at-least-once, never lost.
 */
import type { Redis } from 'ioredis';
import { sleep } from '../../../core/sleep.ts';

export class AckBuffer {
  readonly #client: Redis;
  readonly #group: string;
  readonly #attemptsKey: string;
  readonly #onError: (error: Error) => void;
  #ids = new Map<string, string[]>();
  #forget: string[] = [];
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  #closed = false;

  constructor(client: Redis, group: string, attemptsKey: string, onError: (error: Error) => void) {
    this.#client = client;
    this.#group = group;
    this.#attemptsKey = attemptsKey;
    this.#onError = onError;
  }

  /** `forgetOffset`: the offset whose recorded failures to delete with it, if any. */
  add(stream: string, id: string, forgetOffset?: number): void {
    const ids = this.#ids.get(stream);
    if (ids) ids.push(id);
    else this.#ids.set(stream, [id]);
    if (forgetOffset !== undefined) this.#forget.push(String(forgetOffset));
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.flush();
      });
    }
  }

  get empty(): boolean {
    return this.#ids.size === 0 && this.#forget.length === 0;
  }

  /** Resolves once everything added so far is in Redis (or the buffer is closed). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.empty || this.#closed) return;
    this.#flushing = this.#send();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  /** Gives up on what has not gone out (it is redelivered later). */
  close(): void {
    this.#closed = true;
  }

  async #send(): Promise<void> {
    for (let wait = 100; !this.empty && !this.#closed; wait = Math.min(wait * 2, 2_000)) {
      const ids = this.#ids;
      const forget = this.#forget;
      this.#ids = new Map();
      this.#forget = [];
      const pipeline = this.#client.pipeline();
      for (const [stream, list] of ids) pipeline.xack(stream, this.#group, ...list);
      if (forget.length > 0) pipeline.hdel(this.#attemptsKey, ...forget);
      try {
        const results = await pipeline.exec();
        const failed = results?.find(([error]) => error)?.[0];
        if (failed) throw failed;
        return;
      } catch (error) {
        this.#onError(error as Error);
        for (const [stream, list] of ids) {
          const current = this.#ids.get(stream);
          if (current) current.push(...list);
          else this.#ids.set(stream, list);
        }
        this.#forget.push(...forget);
        await sleep(wait);
      }
    }
  }
}

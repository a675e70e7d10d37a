/**
 * Learns the offsets of messages this process appends to one stream. A
 * RabbitMQ publisher confirm says a message is stored, never where: the
 * offset is only visible to consumers (`x-stream-offset`). So the publisher
 * keeps a consumer at the stream's tail, attached before it publishes, and
 * matches the `messageId` tokens it sent. The tail stays attached while
 * publishes are waiting and for `idleMs` after, then lets go (an idle
 * publisher reads nothing).
 *
 * It attaches at `last` (the last chunk) rather than `next`, so it knows an
 * offset from the start; after a lost connection it attaches again right
 * after that offset (or at `first` for a stream that was empty) and misses
 * nothing that was confirmed meanwhile.
 */
import { ClosedError, EngineError } from '../../../core/errors.ts';
import type { RabbitMqConnection } from './rabbitmq-connection.ts';
import { StreamCursor } from './stream-cursor.ts';

const PREFETCH = 1_000;

interface Waiter {
  readonly resolve: (offset: number) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
}

export class OffsetTail {
  readonly stream: string;
  readonly #connection: RabbitMqConnection;
  readonly #idleMs: number;
  readonly #onError: (error: Error) => void;
  readonly #waiting = new Map<string, Waiter>();
  readonly #timeoutMs: number;
  #sweeper: NodeJS.Timeout | undefined;
  #cursor: StreamCursor | undefined;
  #opening: Promise<void> | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    connection: RabbitMqConnection,
    stream: string,
    idleMs: number,
    timeoutMs: number,
    onError: (error: Error) => void,
  ) {
    this.#connection = connection;
    this.stream = stream;
    this.#idleMs = idleMs;
    this.#timeoutMs = timeoutMs;
    this.#onError = onError;
  }

  /**
   * `track` without waiting, when the tail is attached already (the usual
   * case under load); undefined when it is not.
   */
  trackAttached(tokens: readonly string[]): Array<Promise<number>> | undefined {
    if (!this.#cursor || this.#cursor.closed) return undefined;
    clearTimeout(this.#idleTimer);
    return this.#watch(tokens);
  }

  /**
   * Starts watching for `tokens` and resolves, once the tail is attached,
   * with one promise per token for its offset. Publish only after this.
   */
  async track(tokens: readonly string[]): Promise<Array<Promise<number>>> {
    clearTimeout(this.#idleTimer);
    const offsets = this.#watch(tokens);
    try {
      await this.#attach();
    } catch (error) {
      for (const token of tokens) this.#waiting.delete(token);
      this.#idleLater();
      throw error;
    }
    return offsets;
  }

  /**
   * One promise per token. It rejects if the offset is not seen within the
   * timeout (the message is stored, but where cannot be told).
   */
  #watch(tokens: readonly string[]): Array<Promise<number>> {
    const deadline = Date.now() + this.#timeoutMs;
    const offsets = tokens.map(
      (token) =>
        new Promise<number>((resolve, reject) => {
          this.#waiting.set(token, { resolve, reject, deadline });
        }),
    );
    this.#sweeper ??= setInterval(() => this.#sweep(), Math.min(1_000, this.#timeoutMs));
    return offsets;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [token, waiter] of this.#waiting) {
      if (waiter.deadline > now) continue;
      this.#waiting.delete(token);
      waiter.reject(
        new EngineError(
          `RabbitMQ confirmed a publish to ${this.stream} but its offset was not seen within ${this.#timeoutMs} ms`,
        ),
      );
    }
    if (this.#waiting.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
      this.#idleLater();
    }
  }

  /** Whether `token` is still waiting for its offset. */
  isWaiting(token: string): boolean {
    return this.#waiting.has(token);
  }

  forget(tokens: readonly string[]): void {
    for (const token of tokens) this.#waiting.delete(token);
    this.#idleLater();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    clearInterval(this.#sweeper);
    for (const waiter of this.#waiting.values()) {
      waiter.reject(new ClosedError(`closed while waiting for offsets on ${this.stream}`));
    }
    this.#waiting.clear();
    const cursor = this.#cursor;
    this.#cursor = undefined;
    await cursor?.close();
  }

  #attach(): Promise<void> {
    if (this.#cursor && !this.#cursor.closed) return Promise.resolve();
    this.#opening ??= StreamCursor.open(this.#connection, this.stream, 'last', {
      prefetch: PREFETCH,
      resumeWhenEmpty: 'first',
      onReadable: () => this.#drain(),
      onError: this.#onError,
    }).then(
      (cursor) => {
        this.#opening = undefined;
        if (this.#closed) {
          void cursor.close();
          return;
        }
        this.#cursor = cursor;
        this.#drain();
      },
      (error: unknown) => {
        this.#opening = undefined;
        throw error;
      },
    );
    return this.#opening;
  }

  #drain(): void {
    const cursor = this.#cursor;
    if (!cursor) return;
    for (let message = cursor.take(); message; message = cursor.take()) {
      const token = message.token;
      if (token === undefined) continue;
      const waiter = this.#waiting.get(token);
      if (!waiter) continue;
      this.#waiting.delete(token);
      waiter.resolve(message.offset);
    }
    this.#idleLater();
  }

  #idleLater(): void {
    if (this.#waiting.size > 0 || !this.#cursor || this.#closed) return;
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#waiting.size > 0) return;
      const cursor = this.#cursor;
      this.#cursor = undefined;
      void cursor?.close();
    }, this.#idleMs);
    this.#idleTimer.unref();
  }
}

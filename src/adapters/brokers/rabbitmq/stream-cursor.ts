/**
 * Reads one RabbitMQ stream from a point on, as a pull-style cursor: an
 * AMQP consumer fills a buffer of at most `prefetch` messages, `take()`
 * hands them out in offset order and returns credit to the server as they
 * are taken (stream consumers must acknowledge, though an ack only means
 * "send more"). A lost connection or channel does not end the cursor: it
 * attaches again right after the last offset it received, so a follower
 * sees every message exactly once across reconnects.
 */
import type { Channel, Message } from 'amqplib';
import { describeError, EngineError } from '../../../core/errors.ts';
import { sleep } from '../../../core/sleep.ts';
import type { RabbitMqConnection } from './rabbitmq-connection.ts';
import { StreamMessage } from './stream-message.ts';

/** Where to attach: RabbitMQ's `first`, `last` (the last chunk), `next`, an offset, or a time (ms). */
export type StreamStart = 'first' | 'last' | 'next' | number | { readonly time: number };

export interface StreamCursorOptions {
  /** Unacknowledged messages the server sends ahead. */
  readonly prefetch: number;
  /** Where to attach again after a lost connection if nothing was received yet. Default: `start`. */
  readonly resumeWhenEmpty?: StreamStart;
  /** Messages arrived (called once per burst while nobody waits in `next`). */
  readonly onReadable?: () => void;
  readonly onError: (error: Error) => void;
}

interface Buffered {
  readonly message: StreamMessage;
  readonly raw: Message;
  readonly channel: Channel;
}

export class StreamCursor {
  readonly stream: string;
  readonly #connection: RabbitMqConnection;
  readonly #options: StreamCursorOptions;
  readonly #closing = new AbortController();
  #start: StreamStart;
  #buffer: Buffered[] = [];
  #head = 0;
  #channel: Channel | undefined;
  #lastReceived = -1;
  #taken: Buffered | undefined;
  #takenSinceAck = 0;
  #waiter: (() => void) | undefined;
  #readableScheduled = false;
  /** A #reattach loop runs. */
  #retrying = false;

  private constructor(
    connection: RabbitMqConnection,
    stream: string,
    start: StreamStart,
    options: StreamCursorOptions,
  ) {
    this.#connection = connection;
    this.stream = stream;
    this.#start = start;
    this.#options = options;
  }

  /** Attaches; rejects (a 404 for a stream that does not exist) if the first attach fails. */
  static async open(
    connection: RabbitMqConnection,
    stream: string,
    start: StreamStart,
    options: StreamCursorOptions,
  ): Promise<StreamCursor> {
    const cursor = new StreamCursor(connection, stream, start, options);
    if (!(await cursor.#attach())) cursor.#retry();
    return cursor;
  }

  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Messages received and not taken. */
  get buffered(): number {
    return this.#buffer.length - this.#head;
  }

  /** The highest offset received so far, -1 before any. */
  get lastReceived(): number {
    return this.#lastReceived;
  }

  /** The next message, if one is buffered. */
  take(): StreamMessage | undefined {
    if (this.#head >= this.#buffer.length) return undefined;
    const entry = this.#buffer[this.#head]!;
    this.#buffer[this.#head] = undefined as unknown as Buffered;
    this.#head++;
    if (this.#head === this.#buffer.length) {
      this.#buffer = [];
      this.#head = 0;
    }
    this.#taken = entry;
    if (++this.#takenSinceAck >= Math.max(1, this.#options.prefetch >> 2) || this.buffered === 0) {
      this.#ack();
    }
    return entry.message;
  }

  /** Waits for the next message; undefined once closed or `signal` aborts. */
  async next(signal?: AbortSignal): Promise<StreamMessage | undefined> {
    for (;;) {
      const message = this.take();
      if (message) return message;
      if (this.closed || signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          this.#closing.signal.removeEventListener('abort', done);
          this.#waiter = undefined;
          resolve();
        };
        this.#waiter = done;
        signal?.addEventListener('abort', done, { once: true });
        this.#closing.signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.#closing.abort();
    const channel = this.#channel;
    this.#channel = undefined;
    this.#buffer = [];
    this.#head = 0;
    await channel?.close().catch(() => {});
  }

  /**
   * One attach: true when its consumer runs; throws if it was refused, and
   * whoever called it tries again. The channel counts as lost (and is
   * attached again) only once its consumer runs: a consume refused with a
   * 404 also closes the channel, and that close starting a second retry
   * beside the caller's made each failure one more loop (38 attaches in
   * 30 ms while a restarted node brought its streams back, and the cursor
   * left on none of them).
   */
  async #attach(): Promise<boolean> {
    const channel = await this.#connection.channel();
    let consuming = false;
    let channelClosed = false;
    channel.on('close', () => {
      channelClosed = true;
      if (consuming) this.#lost(channel);
    });
    try {
      await channel.prefetch(this.#options.prefetch);
      // Set before the consume answers: its first messages may come first.
      this.#channel = channel;
      await channel.consume(this.stream, (raw) => this.#received(channel, raw), {
        arguments: { 'x-stream-offset': offsetArgument(this.#resumePoint()) },
      });
    } catch (error) {
      if (this.#channel === channel) this.#channel = undefined;
      channel.close().catch(() => {});
      throw error;
    }
    if (channelClosed) {
      // Closed between the consume's answer and now: not attached after all.
      if (this.#channel === channel) this.#channel = undefined;
      return false;
    }
    consuming = true;
    if (this.closed) channel.close().catch(() => {});
    return true;
  }

  #resumePoint(): StreamStart {
    if (this.#lastReceived >= 0) return this.#lastReceived + 1;
    return this.#start;
  }

  #received(channel: Channel, raw: Message | null): void {
    if (channel !== this.#channel) return;
    if (raw === null) {
      // The server cancelled the consumer: the stream was deleted.
      this.#options.onError(new EngineError(`stream ${this.stream} was deleted while being read`));
      channel.close().catch(() => {});
      return;
    }
    const message = new StreamMessage(raw);
    if (message.offset <= this.#lastReceived) return;
    this.#lastReceived = message.offset;
    this.#buffer.push({ message, raw, channel });
    if (this.#waiter) this.#waiter();
    else if (this.#options.onReadable && !this.#readableScheduled) {
      this.#readableScheduled = true;
      queueMicrotask(() => {
        this.#readableScheduled = false;
        this.#options.onReadable?.();
      });
    }
  }

  #ack(): void {
    const taken = this.#taken;
    this.#takenSinceAck = 0;
    if (!taken || taken.channel !== this.#channel) return;
    this.#taken = undefined;
    try {
      taken.channel.ack(taken.raw, true);
    } catch {
      // The channel just closed; the next attach starts with fresh credit.
    }
  }

  #lost(channel: Channel): void {
    if (channel !== this.#channel) return;
    this.#channel = undefined;
    if (this.closed) return;
    if (this.#lastReceived < 0 && this.#options.resumeWhenEmpty !== undefined) {
      this.#start = this.#options.resumeWhenEmpty;
    }
    this.#retry();
  }

  /** Starts attaching again until it works or the cursor closes, unless that is under way. */
  #retry(): void {
    if (this.#retrying) return;
    this.#retrying = true;
    void this.#reattach();
  }

  async #reattach(): Promise<void> {
    for (let delay = 100; !this.closed; delay = Math.min(delay * 2, 5_000)) {
      try {
        if (await this.#attach()) {
          // Done before the channel can be lost again: that loss starts a loop of its own.
          this.#retrying = false;
          return;
        }
      } catch (error) {
        if (this.closed) break;
        this.#options.onError(
          new EngineError(
            `cannot read stream ${this.stream} again, retrying: ${describeError(error)}`,
            { cause: error },
          ),
        );
      }
      if (!(await sleep(delay, this.#closing.signal))) break;
    }
    this.#retrying = false;
  }
}

function offsetArgument(start: StreamStart): unknown {
  if (typeof start === 'string') return start;
  if (typeof start === 'number') return { '!': 'long', value: start };
  return { '!': 'timestamp', value: Math.floor(start.time / 1000) };
}

/**
 * Appends to streams over one confirm channel: a publish resolves only
 * after the broker's confirm (basic.ack) for every message, and rejects on
 * a nack, a return (no queue took it) or a channel lost before the confirm,
 * so a resolved publish is never a guess. Events go out with `send`, which
 * learns no offset: a confirm does not carry one. Only markers learn theirs,
 * from an OffsetTail per stream that reads every message back, so that cost
 * stays with the bookkeeping (stream ends) and off the event path. A channel
 * lost with a reconnect is replaced by the next publish; nothing is resent,
 * because a stream would keep both copies.
 */
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel, Message } from 'amqplib';
import { describeError, EngineError } from '../../../core/errors.ts';
import { OffsetTail } from './offset-tail.ts';
import type { RabbitMqConnection } from './rabbitmq-connection.ts';
import { markerMessage, type OutgoingMessage } from './stream-message.ts';

export interface StreamPublisherOptions {
  readonly tailIdleMs: number;
  readonly publishTimeoutMs: number;
  readonly onError: (error: Error) => void;
}

/** Told of each confirmed message, in the confirm's own callback (no promise for it). */
export type OnConfirmed = (queue: string) => void;

export class StreamPublisher {
  readonly #connection: RabbitMqConnection;
  readonly #options: StreamPublisherOptions;
  readonly #tails = new Map<string, OffsetTail>();
  /** Messages RabbitMQ returned (no queue took them) whose confirm has not come yet. */
  readonly #returned: Message[] = [];
  readonly #tokenBase = randomUUID().slice(0, 13);
  #tokenSeq = 0;
  #channel: Promise<ConfirmChannel> | undefined;
  /** The channel once it is open, until it closes. */
  #open: ConfirmChannel | undefined;

  constructor(connection: RabbitMqConnection, options: StreamPublisherOptions) {
    this.#connection = connection;
    this.#options = options;
  }

  /** A `messageId` unique to this process, by which the tail finds a message again. */
  token(): string {
    return `${this.#tokenBase}-${(this.#tokenSeq++).toString(36)}`;
  }

  /**
   * Publishes to a queue through the default exchange; resolves with
   * `confirmed` on every confirm (so a caller's result costs no promise of
   * its own), telling `onConfirmed` of each message.
   */
  send<T = void>(
    queue: string,
    messages: readonly OutgoingMessage[],
    confirmed?: T,
    onConfirmed?: OnConfirmed,
  ): Promise<T> {
    // Sent in the caller's tick when the channel is open, so concurrent
    // publishes leave in one socket write, as with a plain amqplib loop.
    const open = this.#open;
    if (open) return this.#sendOn(open, queue, messages, confirmed as T, onConfirmed);
    return this.#channelWithin(this.#options.publishTimeoutMs).then((channel) =>
      this.#sendOn(channel, queue, messages, confirmed as T, onConfirmed),
    );
  }

  #sendOn<T>(
    channel: ConfirmChannel,
    queue: string,
    messages: readonly OutgoingMessage[],
    confirmed: T,
    onConfirmed: OnConfirmed | undefined,
  ): Promise<T> {
    // No async wrapper: one promise per message is all a single publish costs.
    if (messages.length === 1) {
      return this.#sendOne(channel, queue, messages[0]!, confirmed, onConfirmed);
    }
    return Promise.allSettled(
      messages.map((message) => this.#sendOne(channel, queue, message, confirmed, onConfirmed)),
    ).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return confirmed;
    });
  }

  #sendOne<T>(
    channel: ConfirmChannel,
    queue: string,
    message: OutgoingMessage,
    confirmed: T,
    onConfirmed: OnConfirmed | undefined,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      try {
        channel.sendToQueue(queue, message.body, message.options, (error: unknown) => {
          const failure = this.#failure(queue, message, error);
          if (failure) return reject(failure);
          onConfirmed?.(queue);
          resolve(confirmed);
        });
      } catch (error) {
        reject(this.#failure(queue, message, error));
      }
    });
  }

  /** Why a publish of `message` failed, given its confirm callback's argument; undefined if it did not. */
  #failure(queue: string, message: OutgoingMessage, error: unknown): EngineError | undefined {
    // A return comes before the confirm; with none outstanding there is nothing to look up.
    const returned = this.#returned.length > 0 && this.#takeReturned(queue, message);
    if (!error && !returned) return undefined;
    return new EngineError(
      returned
        ? `RabbitMQ has no queue ${queue}: message not stored`
        : `RabbitMQ did not confirm a publish to ${queue}: ${describeError(error)}`,
      { cause: error },
    );
  }

  /**
   * Whether `message` was returned, forgetting the return. An event carries
   * no token (stream-message.ts), so a return is matched by queue, id and
   * body: two messages alike in all three are one and the same to a reader.
   */
  #takeReturned(queue: string, message: OutgoingMessage): boolean {
    const index = this.#returned.findIndex(
      (r) =>
        r.fields.routingKey === queue &&
        r.properties.messageId === message.options.messageId &&
        r.content.equals(message.body),
    );
    if (index >= 0) this.#returned.splice(index, 1);
    return index >= 0;
  }

  /** Appends `messages` (which carry tokens) and resolves with their offsets, in order. */
  #append(stream: string, messages: readonly OutgoingMessage[]): Promise<number[]> {
    const tokens = messages.map((m) => m.options.messageId as string);
    const tail = this.#tail(stream);
    const offsets = tail.trackAttached(tokens);
    if (offsets) return this.#appendTracked(tail, stream, messages, tokens, offsets);
    return tail
      .track(tokens)
      .then((tracked) => this.#appendTracked(tail, stream, messages, tokens, tracked));
  }

  async #appendTracked(
    tail: OffsetTail,
    stream: string,
    messages: readonly OutgoingMessage[],
    tokens: readonly string[],
    offsets: Array<Promise<number>>,
  ): Promise<number[]> {
    try {
      await this.send(stream, messages);
    } catch (error) {
      tail.forget(tokens);
      for (const offset of offsets) offset.catch(() => {});
      throw error;
    }
    return Promise.all(offsets);
  }

  /** Appends a marker and resolves with its offset: everything confirmed before lies below it. */
  async marker(stream: string): Promise<number> {
    const [offset] = await this.#append(stream, [markerMessage(this.token())]);
    return offset!;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#tails.values()].map((tail) => tail.close()));
    this.#tails.clear();
    const channel = this.#channel;
    this.#channel = undefined;
    this.#open = undefined;
    if (channel) await (await channel.catch(() => undefined))?.close().catch(() => {});
  }

  /** The channel, or an error once `ms` pass without a connection (then nothing is sent). */
  async #channelWithin(ms: number): Promise<ConfirmChannel> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EngineError(
              `RabbitMQ at ${this.#connection.address} not reachable within ${ms} ms; nothing was published`,
            ),
          ),
        ms,
      );
    });
    try {
      return await Promise.race([this.#confirmChannel(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #tail(stream: string): OffsetTail {
    let tail = this.#tails.get(stream);
    if (!tail) {
      tail = new OffsetTail(
        this.#connection,
        stream,
        this.#options.tailIdleMs,
        this.#options.publishTimeoutMs,
        this.#options.onError,
      );
      this.#tails.set(stream, tail);
    }
    return tail;
  }

  #confirmChannel(): Promise<ConfirmChannel> {
    if (this.#channel) return this.#channel;
    const opening = this.#connection.confirmChannel().then((channel) => {
      channel.on('close', () => {
        if (this.#channel === opening) this.#channel = undefined;
        if (this.#open === channel) this.#open = undefined;
        // Its confirms will never come: each waiting publish fails with the channel.
        this.#returned.length = 0;
      });
      channel.on('return', (message: Message) => this.#returned.push(message));
      if (this.#channel === opening) this.#open = channel;
      return channel;
    });
    opening.catch(() => {
      if (this.#channel === opening) this.#channel = undefined;
    });
    this.#channel = opening;
    return opening;
  }
}

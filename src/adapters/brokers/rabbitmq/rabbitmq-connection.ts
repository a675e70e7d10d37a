/**
 * One AMQP connection that comes back by itself. amqplib reports a lost
 * connection and stops; this keeps reconnecting with a doubling delay
 * (reporting each failure through `onError`), and tells its watchers when
 * the connection goes down and when it is up again, so each part of the
 * broker reopens its channels and declares what it needs anew. Channels of
 * a lost connection are dead: a watcher never reuses one.
 */
import {
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  connect,
  type Options,
} from 'amqplib';
import { ClosedError, describeError, EngineError } from '../../../core/errors.ts';
import { sleep } from '../../../core/sleep.ts';
import { coalesceWrites, socketOf } from './coalesced-writes.ts';

export interface ConnectionWatcher {
  /** A new connection is up (also the first one); `generation` counts connections. */
  up?(generation: number): void;
  /** The connection was lost; a new one is being made. */
  down?(error: Error): void;
}

export interface RabbitMqConnectionOptions {
  readonly connection: Options.Connect;
  /** The address for messages, without credentials. */
  readonly address: string;
  readonly connectionName: string;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly onError: (error: Error) => void;
}

export class RabbitMqConnection {
  readonly #options: RabbitMqConnectionOptions;
  readonly #watchers = new Set<ConnectionWatcher>();
  readonly #stopping = new AbortController();
  #model: ChannelModel | undefined;
  #generation = 0;
  #connecting: Promise<void> | undefined;
  #upWaiters: Array<() => void> = [];
  #lastError: Error | undefined;

  constructor(options: RabbitMqConnectionOptions) {
    this.#options = options;
  }

  get address(): string {
    return this.#options.address;
  }

  get closed(): boolean {
    return this.#stopping.signal.aborted;
  }

  /** Counts connections made; a channel belongs to the generation it was opened in. */
  get generation(): number {
    return this.#generation;
  }

  get isUp(): boolean {
    return this.#model !== undefined;
  }

  /** Starts connecting (once) and waits for the first connection, at most `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    this.#connecting ??= this.#connectLoop();
    if (this.#model) return;
    const up = this.#waitUp();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new EngineError(`RabbitMQ not reachable at ${this.address} after ${timeoutMs} ms`, {
              path: 'EVENTYARD_BROKER',
              cause: this.#lastError,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([up, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  watch(watcher: ConnectionWatcher): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** The live connection, waiting for a reconnect if there is none; `ClosedError` once closed. */
  async model(): Promise<ChannelModel> {
    for (;;) {
      if (this.closed) throw new ClosedError('the rabbitmq connection is closed');
      if (this.#model) return this.#model;
      this.#connecting ??= this.#connectLoop();
      await this.#waitUp();
    }
  }

  /**
   * A channel of the live connection. Its `error` event is handled (a
   * channel error closes only that channel, which its user sees as `close`).
   */
  async channel(): Promise<Channel> {
    const model = await this.model();
    const channel = await model.createChannel();
    channel.on('error', () => {});
    return channel;
  }

  async confirmChannel(): Promise<ConfirmChannel> {
    const model = await this.model();
    const channel = await model.createConfirmChannel();
    channel.on('error', () => {});
    return channel;
  }

  /**
   * Runs `work` on a channel of its own, closed afterwards: for operations
   * that may fail with a channel error (a passive declare of a queue that
   * does not exist closes its channel).
   */
  async withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const channel = await this.channel();
    try {
      return await work(channel);
    } finally {
      channel.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.#stopping.abort();
    for (const waiter of this.#upWaiters) waiter();
    this.#upWaiters = [];
    const model = this.#model;
    this.#model = undefined;
    await model?.close().catch(() => {});
  }

  async #connectLoop(): Promise<void> {
    let delay = this.#options.reconnectMinMs;
    while (!this.closed) {
      try {
        const model = await connect(this.#options.connection, {
          timeout: 5_000,
          clientProperties: { connection_name: this.#options.connectionName },
        });
        if (this.closed) {
          await model.close().catch(() => {});
          return;
        }
        this.#attach(model);
        return;
      } catch (error) {
        this.#lastError = error as Error;
        this.#options.onError(
          new EngineError(
            `cannot connect to RabbitMQ at ${this.address}, retrying in ${delay} ms: ${describeError(error)}`,
            {
              cause: error,
            },
          ),
        );
        if (!(await sleep(delay, this.#stopping.signal))) return;
        delay = Math.min(delay * 2, this.#options.reconnectMaxMs);
      }
    }
  }

  #attach(model: ChannelModel): void {
    const socket = socketOf(model);
    if (socket) coalesceWrites(socket);
    model.on('error', (error: Error) => {
      this.#lastError = error;
    });
    model.on('blocked', (reason: string) =>
      this.#options.onError(new EngineError(`RabbitMQ blocks publishing: ${reason}`)),
    );
    model.on('close', (error?: Error) => this.#lost(model, error));
    this.#model = model;
    this.#generation++;
    this.#connecting = undefined;
    const waiters = this.#upWaiters;
    this.#upWaiters = [];
    for (const waiter of waiters) waiter();
    for (const watcher of this.#watchers) watcher.up?.(this.#generation);
  }

  #lost(model: ChannelModel, error: Error | undefined): void {
    if (this.#model !== model) return;
    this.#model = undefined;
    if (this.closed) return;
    const lost = new EngineError(
      `lost the connection to RabbitMQ at ${this.address}; reconnecting`,
      {
        cause: error,
      },
    );
    this.#options.onError(lost);
    for (const watcher of this.#watchers) watcher.down?.(lost);
    this.#connecting ??= this.#connectLoop();
  }

  #waitUp(): Promise<void> {
    if (this.#model || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#upWaiters.push(resolve));
  }
}

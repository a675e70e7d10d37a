/**
 * Which topics and groups exist under the prefix. AMQP 0-9-1 cannot list
 * queues, so the broker keeps its own list: a stream of records
 * `{topic}` and `{topic, group}`, appended when a process first uses one,
 * and followed by every process from the start. Duplicates are harmless.
 * The topic streams are declared here too: a stream bound to the prefix's
 * direct exchange with the topic as routing key, which is where a foreign
 * producer (MinIO's AMQP target) publishes.
 */
import type { Channel } from 'amqplib';
import type { RabbitMqConnection } from './rabbitmq-connection.ts';
import type { RabbitMqNames } from './rabbitmq-names.ts';
import { StreamCursor } from './stream-cursor.ts';
import { recordMessage } from './stream-message.ts';
import type { StreamPublisher } from './stream-publisher.ts';

interface CatalogRecord {
  readonly topic: string;
  readonly group?: string;
}

export interface StreamArguments {
  readonly maxAge: string | undefined;
  readonly maxLengthBytes: number;
}

export class Catalog {
  readonly #connection: RabbitMqConnection;
  readonly #names: RabbitMqNames;
  readonly #publisher: StreamPublisher;
  readonly #streamArgs: Record<string, unknown>;
  readonly #onError: (error: Error) => void;
  readonly #groups = new Map<string, Set<string>>();
  readonly #declared = new Set<string>();
  /** Declarations under way, shared by the callers that wait for them. */
  readonly #declaring = new Map<string, Promise<string>>();
  readonly #waiters: Array<{ offset: number; resolve: () => void }> = [];
  #cursor: StreamCursor | undefined;

  constructor(
    connection: RabbitMqConnection,
    names: RabbitMqNames,
    publisher: StreamPublisher,
    retention: StreamArguments,
    onError: (error: Error) => void,
  ) {
    this.#connection = connection;
    this.#names = names;
    this.#publisher = publisher;
    this.#onError = onError;
    this.#streamArgs = {
      'x-queue-type': 'stream',
      ...(retention.maxAge ? { 'x-max-age': retention.maxAge } : {}),
      ...(retention.maxLengthBytes > 0 ? { 'x-max-length-bytes': retention.maxLengthBytes } : {}),
    };
  }

  /** Declares the exchange and the catalog, and reads the catalog up to now. */
  async start(): Promise<void> {
    await this.#connection.withChannel(async (channel) => {
      await channel.assertExchange(this.#names.exchange, 'direct', { durable: true });
      await channel.assertQueue(this.#names.catalog, {
        durable: true,
        arguments: { 'x-queue-type': 'stream' },
      });
    });
    this.#cursor ??= await StreamCursor.open(this.#connection, this.#names.catalog, 'first', {
      prefetch: 1_000,
      onReadable: () => this.#drain(),
      onError: this.#onError,
    });
    await this.sync();
  }

  /** Resolves once every record appended before the call has been read. */
  async sync(): Promise<void> {
    const offset = await this.#publisher.marker(this.#names.catalog);
    await new Promise<void>((resolve) => {
      this.#waiters.push({ offset, resolve });
      this.#drain();
    });
  }

  topics(): string[] {
    return [...this.#groups.keys()];
  }

  has(topic: string): boolean {
    return this.#groups.has(topic);
  }

  groups(topic: string): string[] {
    return [...(this.#groups.get(topic) ?? [])];
  }

  /** The topic's stream if this process has declared it already. */
  declared(topic: string): string | undefined {
    return this.#declared.has(topic) ? this.#names.topic(topic) : undefined;
  }

  /**
   * Declares the topic's stream (once per process) and lists it. Callers
   * that come while it is being declared share that declaration: one per
   * caller would open a channel each (thousands of concurrent first
   * publishes ran out of channels).
   */
  ensureTopic(topic: string): Promise<string> {
    if (this.#declared.has(topic)) return Promise.resolve(this.#names.topic(topic));
    let declaring = this.#declaring.get(topic);
    if (!declaring) {
      declaring = this.#declare(topic).finally(() => this.#declaring.delete(topic));
      this.#declaring.set(topic, declaring);
    }
    return declaring;
  }

  async #declare(topic: string): Promise<string> {
    const stream = this.#names.topic(topic);
    await this.#connection.withChannel(async (channel: Channel) => {
      await channel.assertQueue(stream, { durable: true, arguments: this.#streamArgs });
      await channel.bindQueue(stream, this.#names.exchange, topic);
    });
    await this.#settled(stream);
    if (!this.#groups.has(topic)) await this.#append({ topic });
    this.#declared.add(topic);
    return stream;
  }

  async ensureGroup(topic: string, group: string): Promise<void> {
    if (this.#groups.get(topic)?.has(group)) return;
    await this.#append({ topic, group });
  }

  async close(): Promise<void> {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
    await this.#cursor?.close();
  }

  /**
   * Waits until a consumer can attach to a stream just declared. RabbitMQ
   * before 4.0.5 crashes a channel, and with it the connection, that
   * publishes to a stream whose writer it does not know yet
   * (rabbitmq-server#12969); the attach gives the stream that moment.
   */
  async #settled(stream: string): Promise<void> {
    const probe = await StreamCursor.open(this.#connection, stream, 'next', {
      prefetch: 1,
      onError: this.#onError,
    });
    await probe.close();
  }

  async #append(record: CatalogRecord): Promise<void> {
    await this.#publisher.send(this.#names.catalog, [
      recordMessage(this.#publisher.token(), record),
    ]);
    this.#add(record);
  }

  #add(record: CatalogRecord): void {
    const groups = this.#groups.get(record.topic) ?? new Set<string>();
    this.#groups.set(record.topic, groups);
    if (record.group !== undefined) groups.add(record.group);
  }

  #drain(): void {
    const cursor = this.#cursor;
    if (!cursor) return;
    for (let message = cursor.take(); message; message = cursor.take()) {
      const record = message.record<CatalogRecord>();
      if (record && typeof record.topic === 'string') this.#add(record);
    }
    const reached = cursor.lastReceived;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      if (this.#waiters[i]!.offset <= reached) this.#waiters.splice(i, 1)[0]!.resolve();
    }
  }
}

/**
 * Where a group's committed positions live: one durable queue per
 * partition holding one message (`x-max-length` 1, dropping the oldest),
 * the partition's latest record. Only the member holding the partition's
 * lease writes it, with a publisher confirm, so a position survives the
 * member and the broker's restart. Reading takes every message and puts
 * them back (a reader racing a writer can briefly leave two); the record
 * with the highest `seq` wins.
 */
import type { GetMessage } from 'amqplib';
import type { RabbitMqConnection } from './rabbitmq-connection.ts';
import type { StreamPublisher } from './stream-publisher.ts';

export interface PartitionRecord {
  /** The lowest offset of the partition not yet done with. */
  readonly position: number;
  /** Failed tries recorded per offset (`recordFailure`), so attempts hold across restarts. */
  readonly failures: Readonly<Record<string, number>>;
  readonly seq: number;
}

const ARGUMENTS = { 'x-max-length': 1, 'x-overflow': 'drop-head' };

export class GroupRegisters {
  readonly #connection: RabbitMqConnection;
  readonly #publisher: StreamPublisher;

  constructor(connection: RabbitMqConnection, publisher: StreamPublisher) {
    this.#connection = connection;
    this.#publisher = publisher;
  }

  async declare(queue: string): Promise<void> {
    await this.#connection.withChannel((channel) =>
      channel.assertQueue(queue, { durable: true, arguments: ARGUMENTS }),
    );
  }

  /** The latest record, or undefined when there is none (or no such queue). */
  async load(queue: string): Promise<PartitionRecord | undefined> {
    try {
      return await this.#connection.withChannel(async (channel) => {
        const taken: GetMessage[] = [];
        for (;;) {
          const message = await channel.get(queue, { noAck: false });
          if (message === false) break;
          taken.push(message);
        }
        if (taken.length > 0) channel.nackAll(true);
        let best: PartitionRecord | undefined;
        for (const message of taken) {
          const record = parse(message.content);
          if (record && (!best || record.seq > best.seq)) best = record;
        }
        return best;
      });
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  async save(queue: string, record: PartitionRecord): Promise<void> {
    await this.#publisher.send(queue, [
      {
        body: Buffer.from(JSON.stringify(record)),
        options: {
          persistent: true,
          mandatory: true,
          messageId: this.#publisher.token(),
          contentType: 'application/json',
        },
      },
    ]);
  }
}

function parse(body: Buffer): PartitionRecord | undefined {
  try {
    const record = JSON.parse(body.toString('utf8')) as PartitionRecord;
    return typeof record.position === 'number' ? record : undefined;
  } catch {
    return undefined;
  }
}

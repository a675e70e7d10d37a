/**
 * How eventyard writes into a RabbitMQ stream and reads a stream message
 * back. Three kinds of message share a stream:
 *
 * - events: the envelope as JSON (content type
 *   `application/cloudevents+json`), `messageId` the publish time (ms in
 *   base 36, 8 digits until 2059) for replay from a time, and the partition
 *   key, if any, in header `ey-key` (so a reader finds an event's partition
 *   without parsing it). As few AMQP properties as that, and not even a
 *   delivery mode (a stream keeps every message on disk): RabbitMQ converts
 *   each property for the stream (a `type` plus a header table made a
 *   publish cost the broker about a fifth more), and without a key
 *   amqplib's header frame then takes 64 bytes. It allocates that frame
 *   with `Buffer.alloc`, which V8 serves from its heap up to 64 bytes and
 *   outside it, at twelve times the cost, from 65: 0.65 µs a publish, about
 *   4% of the raw client's whole cost per event. test/adapters/rabbitmq/
 *   event-message.test.ts holds the frame to it;
 * - markers: empty, `type` `eventyard.marker`. AMQP 0-9-1 never tells a
 *   stream consumer where a stream ends, so a reader that must stop at "now"
 *   appends a marker and reads up to it (RabbitMQ's own stream tutorials do
 *   the same). Readers skip markers; they take an offset each;
 * - records: JSON of the broker's own bookkeeping (group state, catalog).
 *
 * Anything else was published by someone else (MinIO's AMQP target) and is
 * adopted as an envelope by core's `adoptMessage`, so handlers always get
 * CloudEvents. Markers and records carry a token unique to the publishing
 * process in their `messageId`, by which the publisher learns a marker's
 * offset (offset-tail.ts). An event carries none (it would cost the
 * allocation above), so the publisher matches a return to its event by
 * queue and body.
 */
import type { Message, Options } from 'amqplib';
import { type Envelope, serializeEvent } from '../../../core/envelope.ts';
import { adoptMessage } from '../../../core/foreign-message.ts';
import { partitionOf } from '../../../core/partition.ts';

export const MARKER_TYPE = 'eventyard.marker';
export const RECORD_TYPE = 'eventyard.record';
const EVENT_CONTENT_TYPE = 'application/cloudevents+json';
/** The length of an event's `messageId`, its publish time in base 36 (a token is longer). */
const EVENT_ID_LENGTH = 8;
const KEY_HEADER = 'ey-key';
const EMPTY = Buffer.alloc(0);

export interface OutgoingMessage {
  readonly body: Buffer;
  readonly options: Options.Publish;
}

let stampedAt = 0;
let stamp = '';

/** Now, ms in base 36, made once per millisecond. */
function publishStamp(): string {
  const now = Date.now();
  if (now !== stampedAt) {
    stampedAt = now;
    stamp = now.toString(36);
  }
  return stamp;
}

export function eventMessage(event: Envelope, maxBytes: number): OutgoingMessage {
  const text = serializeEvent(event, maxBytes);
  const key = event.partitionkey;
  const options: Options.Publish = {
    mandatory: true,
    messageId: publishStamp(),
    contentType: EVENT_CONTENT_TYPE,
  };
  if (typeof key === 'string') options.headers = { [KEY_HEADER]: key };
  return { body: Buffer.from(text), options };
}

export function markerMessage(token: string): OutgoingMessage {
  return {
    body: EMPTY,
    options: { persistent: true, mandatory: true, messageId: token, type: MARKER_TYPE },
  };
}

export function recordMessage(token: string, record: unknown): OutgoingMessage {
  return {
    body: Buffer.from(JSON.stringify(record)),
    options: {
      persistent: true,
      mandatory: true,
      messageId: token,
      type: RECORD_TYPE,
      contentType: 'application/json',
    },
  };
}

/** One message read from a stream, decoded as far as asked (the body is parsed lazily). */
export class StreamMessage {
  readonly offset: number;
  readonly #message: Message;
  #event: Envelope | undefined;

  constructor(message: Message) {
    this.#message = message;
    this.offset = Number(message.properties.headers?.['x-stream-offset']);
  }

  get token(): string | undefined {
    return this.#message.properties.messageId as string | undefined;
  }

  get isMarker(): boolean {
    return this.#message.properties.type === MARKER_TYPE;
  }

  get isRecord(): boolean {
    return this.#message.properties.type === RECORD_TYPE;
  }

  get isEvent(): boolean {
    const type = this.#message.properties.type;
    return type !== MARKER_TYPE && type !== RECORD_TYPE;
  }

  /** When it was published (ms): in eventyard's `messageId`, else the AMQP timestamp (seconds), if any. */
  get publishedAt(): number | undefined {
    const id = this.#message.properties.messageId;
    if (this.#ownEvent()) {
      const at = Number.parseInt(id as string, 36);
      if (Number.isFinite(at)) return at;
    }
    const timestamp = this.#message.properties.timestamp as number | undefined;
    return typeof timestamp === 'number' ? timestamp * 1000 : undefined;
  }

  /** The partition of an event (`partitions` per topic); events without a key spread by offset. */
  partition(topic: string, partitions: number): number {
    const key = this.#ownEvent()
      ? (this.#message.properties.headers?.[KEY_HEADER] as string | undefined)
      : this.event(topic).partitionkey;
    return key === undefined ? this.offset % partitions : partitionOf(key, partitions);
  }

  /** The envelope of an event message: eventyard's own, or a foreign body adopted. */
  event(topic: string): Envelope {
    if (this.#event) return this.#event;
    if (this.#ownEvent()) {
      try {
        this.#event = JSON.parse(this.#message.content.toString('utf8')) as Envelope;
        return this.#event;
      } catch {
        // Not JSON after all: adopt it like any foreign body.
      }
    }
    const at = this.publishedAt;
    this.#event = adoptMessage(this.#message.content, {
      topic,
      messageId: String(this.offset),
      time: at === undefined ? undefined : new Date(at),
    });
    return this.#event;
  }

  /** The JSON body of a record message, or undefined if it is not one. */
  record<T>(): T | undefined {
    if (!this.isRecord) return undefined;
    try {
      return JSON.parse(this.#message.content.toString('utf8')) as T;
    } catch {
      return undefined;
    }
  }

  /** Published by eventyard as an event: a CloudEvents body, with its publish time for an id. */
  #ownEvent(): boolean {
    const { messageId, contentType } = this.#message.properties;
    return (
      contentType === EVENT_CONTENT_TYPE &&
      typeof messageId === 'string' &&
      messageId.length === EVENT_ID_LENGTH
    );
  }
}

/**
 * A delivery of one JetStream message: ack, nak with a delay and term map
 * onto the message's own; `working` extends its ack deadline.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { BaseDelivery, type Settlement } from '../../../core/delivery.ts';
import type { Envelope } from '../../../core/envelope.ts';
import { adoptMessage, type ForeignFacts } from '../../../core/foreign-message.ts';
import type { ConsumerReader } from './consumer-reader.ts';

export interface DeliveryOwner {
  settle(delivery: NatsDelivery, settlement: Settlement): void;
  recordFailure(delivery: NatsDelivery, attempt: number): Promise<void>;
}

export class NatsDelivery extends BaseDelivery {
  readonly offset: number;

  constructor(
    readonly owner: DeliveryOwner,
    /** The reader that fetched it, which takes it back. */
    readonly reader: ConsumerReader,
    readonly message: JsMsg,
    readonly topic: string,
    readonly group: string,
    readonly partition: number,
    readonly event: Envelope,
    readonly attempt: number,
  ) {
    super();
    this.offset = message.seq;
  }

  override working(): void {
    if (!this.settled) this.message.working();
  }

  override recordFailure(attempt: number): Promise<void> {
    return this.owner.recordFailure(this, attempt);
  }

  protected settle(settlement: Settlement): void {
    this.owner.settle(this, settlement);
  }
}

/** A message's facts for `adoptMessage`; its time is parsed only if a foreign body needs it. */
class MessageFacts implements ForeignFacts {
  constructor(
    readonly topic: string,
    readonly message: JsMsg,
  ) {}

  get messageId(): string {
    return String(this.message.seq);
  }

  get time(): Date {
    return this.message.time;
  }
}

/** The event a message carries (an envelope, or a foreign body adopted). */
export function adoptJsMsg(message: JsMsg, topic: string): Envelope {
  const data = message.data;
  // A view on the received bytes, not a copy.
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  return adoptMessage(body, new MessageFacts(topic, message));
}

/**
 * Messages that were not published through eventyard (MinIO's bucket
 * notifications sent by its own NATS, AMQP or Redis target, say) arrive as
 * raw bodies. Every broker adapter passes a body it cannot read as an
 * envelope through `adoptMessage`, so handlers always receive CloudEvents:
 * a CloudEvents JSON body is validated and kept; anything else becomes the
 * `data` of an envelope that says where it came from. A MinIO notification
 * becomes the same event the embedded store would have sent.
 */
import { createHash } from 'node:crypto';
import { type Envelope, validateEnvelope } from './envelope.ts';

export interface ForeignFacts {
  readonly topic: string;
  /** The engine's id of the message (stream sequence, message id), for a stable event id. */
  readonly messageId?: string;
  /** When the engine stored it. */
  readonly time?: Date;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function isMinioNotification(value: unknown): value is { EventName: string; Key: string } {
  const v = value as { EventName?: unknown; Key?: unknown; Records?: unknown };
  return typeof v?.EventName === 'string' && typeof v.Key === 'string' && Array.isArray(v.Records);
}

/** The envelope a raw message body stands for. Never throws for a foreign body. */
export function adoptMessage(body: Uint8Array | string, facts: ForeignFacts): Envelope {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const parsed = parseJson(text);
  if (parsed.ok && (parsed.value as { specversion?: unknown })?.specversion === '1.0') {
    return validateEnvelope(parsed.value);
  }
  const id =
    facts.messageId !== undefined
      ? `${facts.topic}:${facts.messageId}`
      : createHash('sha256').update(text).digest('hex').slice(0, 32);
  const time = (facts.time ?? new Date()).toISOString();
  if (parsed.ok && isMinioNotification(parsed.value)) {
    const { EventName, Key } = parsed.value;
    const slash = Key.indexOf('/');
    return validateEnvelope({
      specversion: '1.0',
      id,
      source: `arn:aws:s3:::${slash > 0 ? Key.slice(0, slash) : Key}`,
      type: `com.amazonaws.s3.${EventName.replace(/^s3:/, '')}`,
      subject: slash > 0 ? Key.slice(slash + 1) : Key,
      time,
      datacontenttype: 'application/json',
      partitionkey: Key,
      data: parsed.value,
    });
  }
  return validateEnvelope({
    specversion: '1.0',
    id,
    source: `eventyard:foreign/${facts.topic}`,
    type: 'eventyard.foreign.message',
    time,
    datacontenttype: parsed.ok ? 'application/json' : 'text/plain',
    data: parsed.ok ? parsed.value : text,
  });
}

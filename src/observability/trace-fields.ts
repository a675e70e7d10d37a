/**
 * The fields that let one upload, job or command be followed through the
 * logs of every service: the event's id and type, its correlation id and
 * its W3C traceparent.
 */
import type { Envelope } from '../core/envelope.ts';

export interface TraceFields {
  readonly eventId: string;
  readonly eventType: string;
  readonly correlationid?: string;
  readonly traceparent?: string;
}

export function traceFieldsOf(event: Envelope): TraceFields {
  const fields: { -readonly [K in keyof TraceFields]: TraceFields[K] } = {
    eventId: event.id,
    eventType: event.type,
  };
  if (event.correlationid !== undefined) fields.correlationid = event.correlationid;
  if (event.traceparent !== undefined) fields.traceparent = event.traceparent;
  return fields;
}

/**
 * The event envelope: CloudEvents 1.0 in structured JSON mode, with the
 * extensions eventyard uses to follow one upload, job or command through
 * every service (see DESIGN.md, "Event envelope").
 */
import { randomUUID } from 'node:crypto';
import { ValidationError } from './errors.ts';

export interface Envelope<T = unknown> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  /** RFC 3339 timestamp of the occurrence. */
  readonly time: string;
  readonly subject?: string;
  readonly datacontenttype: string;
  readonly dataschema?: string;
  readonly data: T;
  /** W3C trace context of the span that produced the event. */
  readonly traceparent?: string;
  /** Id shared by every event that descends from one original request. */
  readonly correlationid?: string;
  /** Id of the event this one was caused by. */
  readonly causationid?: string;
  /** Events with the same key keep their order. */
  readonly partitionkey?: string;
  /** How many times delivery was attempted (on dead letters: attempts made). */
  readonly attempt?: number;
  readonly [extension: string]: unknown;
}

/** What a producer states; the rest is filled in by `createEvent`. */
export interface EventInit<T = unknown> {
  readonly type: string;
  readonly data: T;
  readonly source?: string;
  readonly subject?: string;
  readonly id?: string;
  readonly time?: string | Date;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  /** Same as `partitionkey`: events with the same key keep their order. */
  readonly key?: string;
  readonly traceparent?: string;
  readonly correlationid?: string;
  readonly causationid?: string;
  /** More CloudEvents extension attributes (lowercase a-z0-9 names). */
  readonly extensions?: Readonly<Record<string, string | number | boolean>>;
}

export const DEFAULT_SOURCE = 'eventyard';
export const MAX_ID_LENGTH = 256;

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
// RFC 3339 date-time, as CloudEvents requires for `time`, with every field in its range (no leap
// second: JavaScript's Date has none). Checked by this alone: Date.parse cost 5 times as much.
const RFC3339 =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])[Tt](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const CORE_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'subject',
  'datacontenttype',
  'dataschema',
  'data',
  'data_base64',
]);

/** 32 random hex digits. randomUUID draws from a pooled buffer, unlike randomBytes. */
function randomHex32(): string {
  const uuid = randomUUID();
  return (
    uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24)
  );
}

/** A fresh W3C traceparent for an event that starts a trace (or a new span of `traceId`). */
export function newTraceparent(traceId?: string): string {
  return `00-${traceId ?? randomHex32()}-${randomHex32().slice(16)}-01`;
}

/** The trace id of a traceparent, or undefined when it is not one. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent === undefined ? undefined : TRACEPARENT.exec(traceparent)?.[1];
}

/** Builds a complete, valid envelope. Throws `ValidationError` on bad input. */
export function createEvent<T>(init: EventInit<T>): Envelope<T> {
  const time = init.time instanceof Date ? init.time.toISOString() : init.time;
  const event: Record<string, unknown> = {
    specversion: '1.0',
    id: init.id ?? randomUUID(),
    source: init.source ?? DEFAULT_SOURCE,
    type: init.type,
    time: time ?? new Date().toISOString(),
    datacontenttype: init.datacontenttype ?? 'application/json',
    data: init.data,
    traceparent: init.traceparent ?? newTraceparent(),
  };
  if (init.subject !== undefined) event.subject = init.subject;
  if (init.dataschema !== undefined) event.dataschema = init.dataschema;
  if (init.key !== undefined) event.partitionkey = init.key;
  if (init.correlationid !== undefined) event.correlationid = init.correlationid;
  if (init.causationid !== undefined) event.causationid = init.causationid;
  if (init.extensions) {
    for (const [name, value] of Object.entries(init.extensions)) event[name] = value;
  }
  return validateEnvelope(event) as Envelope<T>;
}

/**
 * An event caused by `parent`: it inherits the parent's correlation id (or
 * takes the parent's id when the parent started the chain) and trace, and
 * names the parent as its cause.
 */
export function causedBy<T>(parent: Envelope, init: EventInit<T>): Envelope<T> {
  const traceId = traceIdOf(parent.traceparent);
  return createEvent({
    ...init,
    correlationid: parent.correlationid ?? parent.id,
    causationid: parent.id,
    traceparent: init.traceparent ?? newTraceparent(traceId),
  });
}

function fail(path: string, message: string): never {
  throw new ValidationError(`invalid event: ${path} ${message}`, { path });
}

// Each attribute is read by its name at the call site and passed in: a read by a variable name
// inside one shared function is a keyed lookup, which cost a sixth of this check's time.
function requireString(value: unknown, name: string, max = 1024): void {
  if (typeof value !== 'string' || value.length === 0) fail(name, 'must be a non-empty string');
  if (value.length > max) fail(name, `must be at most ${max} characters`);
}

function optionalString(value: unknown, name: string): void {
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    fail(name, 'must be a non-empty string when present');
  }
}

/**
 * Checks that `value` is a CloudEvents 1.0 envelope eventyard can carry and
 * returns it typed. Hand-written rather than schema-driven because it runs on
 * every publish (see bench/): every rule here is a line of the spec or of
 * DESIGN.md.
 */
export function validateEnvelope(value: unknown): Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('event', 'must be an object');
  }
  const event = value as Record<string, unknown>;
  if (event.specversion !== '1.0') fail('specversion', "must be '1.0'");
  requireString(event.id, 'id', MAX_ID_LENGTH);
  requireString(event.source, 'source');
  requireString(event.type, 'type', 256);
  const time = event.time;
  if (typeof time !== 'string' || !RFC3339.test(time)) {
    fail('time', 'must be an RFC 3339 timestamp');
  }
  requireString(event.datacontenttype, 'datacontenttype', 256);
  optionalString(event.subject, 'subject');
  optionalString(event.dataschema, 'dataschema');
  if (event.data === undefined && event.data_base64 === undefined) fail('data', 'is required');
  if (event.traceparent !== undefined) {
    if (typeof event.traceparent !== 'string' || !TRACEPARENT.test(event.traceparent)) {
      fail('traceparent', 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)');
    }
  }
  optionalString(event.correlationid, 'correlationid');
  optionalString(event.causationid, 'causationid');
  if (event.partitionkey !== undefined) {
    if (typeof event.partitionkey !== 'string' || event.partitionkey.length > 1024) {
      fail('partitionkey', 'must be a string of at most 1024 characters');
    }
  }
  if (event.attempt !== undefined) {
    if (!Number.isInteger(event.attempt) || (event.attempt as number) < 1) {
      fail('attempt', 'must be a positive integer');
    }
  }
  for (const name in event) {
    if (CORE_ATTRIBUTES.has(name)) continue;
    if (!EXTENSION_NAME.test(name)) {
      fail(name, 'is not a valid extension name (lowercase a-z and 0-9, at most 20 characters)');
    }
    const v = event[name];
    const kind = typeof v;
    if (kind === 'number') {
      if (!Number.isInteger(v) || (v as number) < INT32_MIN || (v as number) > INT32_MAX) {
        fail(name, 'must be an integer in the 32-bit range (CloudEvents Integer)');
      }
    } else if (kind !== 'string' && kind !== 'boolean') {
      fail(name, 'must be a string, integer or boolean (CloudEvents extension)');
    }
  }
  return event as unknown as Envelope;
}

/** The envelope with some extension attributes removed. */
export function withoutAttributes(event: Envelope, names: readonly string[]): Envelope {
  const copy: Record<string, unknown> = { ...event };
  for (const name of names) delete copy[name];
  return copy as unknown as Envelope;
}

/**
 * The JSON an engine stores for `event`, refused with a ValidationError
 * when it is not serializable or longer than `maxBytes` (UTF-8).
 */
export function serializeEvent(event: Envelope, maxBytes: number): string {
  let body: string;
  try {
    body = JSON.stringify(event);
  } catch (error) {
    throw new ValidationError(`event ${event.id} cannot be serialized as JSON`, {
      path: 'data',
      cause: error,
    });
  }
  // A UTF-16 unit is at most 3 UTF-8 bytes: count bytes only when it could matter.
  if (body.length * 3 > maxBytes && Buffer.byteLength(body) > maxBytes) {
    throw new ValidationError(`event ${event.id} is larger than ${maxBytes} bytes`, {
      path: 'event',
      limit: maxBytes,
    });
  }
  return body;
}

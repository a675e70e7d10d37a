/**
 * Reads events from an HTTP request, as the CloudEvents HTTP protocol
 * binding (1.0.2) defines: the Content-Type picks the mode.
 *
 * - `application/cloudevents+json`: structured, one event as JSON.
 * - `application/cloudevents-batch+json`: batched, a JSON array of events.
 * - any other type with `ce-*` headers: binary, the headers are the
 *   attributes (percent-decoded) and the body is the data, its media type
 *   the `datacontenttype`.
 * - `application/json` holding an object with `specversion`: structured.
 * - `application/json` otherwise: the body is the data of a new event whose
 *   type (required), source, subject and key come from the query.
 *
 * Attributes CloudEvents makes optional but eventyard's envelope needs are
 * filled in: `time` (when received), `data` (null), `datacontenttype` (JSON) and
 * `traceparent` (a new span, in the caller's trace when the request carries
 * a W3C `traceparent` header).
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  createEvent,
  type Envelope,
  newTraceparent,
  traceIdOf,
  validateEnvelope,
} from '../core/envelope.ts';
import { ValidationError } from '../core/errors.ts';
import { UnsupportedMediaTypeError } from './http-errors.ts';

/** Events one request may carry. */
export const MAX_BATCH_EVENTS = 1_000;

export interface PlainEventQuery {
  readonly type?: string;
  readonly source?: string;
  readonly subject?: string;
  readonly key?: string;
}

export interface EventRequest {
  readonly headers: IncomingHttpHeaders;
  /** The raw body; undefined when there is none. */
  readonly body: Buffer | undefined;
  readonly query: PlainEventQuery;
}

export function eventsFromRequest(request: EventRequest): Envelope[] {
  const mediaType = mediaTypeOf(request.headers['content-type']);
  const trace = traceIdOf(headerValue(request.headers.traceparent));
  if (mediaType.startsWith('application/cloudevents-batch')) {
    requireJsonFormat(mediaType);
    const batch = parseJson(request.body, 'body');
    if (!Array.isArray(batch)) {
      throw new ValidationError('a batch must be a JSON array of events', { path: 'body' });
    }
    if (batch.length > MAX_BATCH_EVENTS) {
      throw new ValidationError(`a batch holds at most ${MAX_BATCH_EVENTS} events`, {
        path: 'body',
        limit: MAX_BATCH_EVENTS,
      });
    }
    return batch.map((value, index) => completeEvent(value, trace, `${index}.`));
  }
  if (mediaType.startsWith('application/cloudevents')) {
    requireJsonFormat(mediaType);
    return [completeEvent(parseJson(request.body, 'body'), trace)];
  }
  if (request.headers['ce-specversion'] !== undefined) {
    return [binaryEvent(request, trace)];
  }
  if (isJson(mediaType)) {
    const value = parseJson(request.body, 'body');
    if (isObject(value) && 'specversion' in value) return [completeEvent(value, trace)];
    return [plainEvent(value, request.query, trace)];
  }
  throw new UnsupportedMediaTypeError(
    `cannot read events from Content-Type '${mediaType || '(none)'}': send application/cloudevents+json, application/cloudevents-batch+json, CloudEvents binary mode (ce-* headers), or application/json data with ?type=`,
  );
}

/** Fills in the optional attributes eventyard needs, then validates. */
function completeEvent(value: unknown, trace: string | undefined, prefix = ''): Envelope {
  if (!isObject(value)) {
    throw new ValidationError(`invalid event: ${prefix || 'body '}must be a JSON object`, {
      path: prefix ? prefix.slice(0, -1) : 'body',
    });
  }
  const event: Record<string, unknown> = { ...value };
  event.time ??= new Date().toISOString();
  if (event.data === undefined && event.data_base64 === undefined) event.data = null;
  if (event.datacontenttype === undefined && event.data_base64 === undefined) {
    event.datacontenttype = 'application/json';
  }
  event.traceparent ??= newTraceparent(trace);
  try {
    return validateEnvelope(event);
  } catch (error) {
    if (!(error instanceof ValidationError) || prefix === '') throw error;
    const path = `${prefix}${String(error.details.path ?? '')}`;
    throw new ValidationError(`event ${prefix.slice(0, -1)}: ${error.message}`, { path });
  }
}

function plainEvent(data: unknown, query: PlainEventQuery, trace: string | undefined): Envelope {
  if (query.type === undefined) {
    throw new ValidationError(
      "query parameter 'type' is required when the body is plain JSON data (or send a CloudEvents envelope with specversion)",
      { path: 'type', in: 'query' },
    );
  }
  return createEvent({
    type: query.type,
    data,
    source: query.source,
    subject: query.subject,
    key: query.key,
    traceparent: newTraceparent(trace),
  });
}

function binaryEvent(request: EventRequest, trace: string | undefined): Envelope {
  const event: Record<string, unknown> = {};
  for (const [header, raw] of Object.entries(request.headers)) {
    if (!header.startsWith('ce-') || raw === undefined) continue;
    const name = header.slice(3);
    if (name === 'datacontenttype') {
      throw new ValidationError(
        'ce-datacontenttype must not be sent in binary mode: the Content-Type header is the data content type',
        { path: header, in: 'header' },
      );
    }
    if (Array.isArray(raw)) {
      throw new ValidationError(`header ${header} appears more than once`, {
        path: header,
        in: 'header',
      });
    }
    const value = decodeHeaderValue(raw, header);
    event[name] = name === 'attempt' && /^\d+$/.test(value) ? Number(value) : value;
  }
  const contentType = headerValue(request.headers['content-type']);
  const body = request.body ?? Buffer.alloc(0);
  const mediaType = mediaTypeOf(contentType);
  event.datacontenttype =
    contentType ?? (body.length === 0 ? 'application/json' : 'application/octet-stream');
  if (body.length === 0) event.data = null;
  else if (mediaType === '' || isJson(mediaType)) event.data = parseJson(body, 'data');
  else if (mediaType.startsWith('text/')) event.data = body.toString('utf8');
  else event.data_base64 = body.toString('base64');
  return completeEvent(event, trace);
}

/**
 * A ce-* header value: unquoted when sent as a quoted string (older
 * senders), then one round of percent-decoding; invalid UTF-8 is refused.
 */
export function decodeHeaderValue(raw: string, header: string): string {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    value = value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  try {
    return decodeURIComponent(value);
  } catch {
    throw new ValidationError(`header ${header} is not validly percent-encoded UTF-8`, {
      path: header,
      in: 'header',
    });
  }
}

function parseJson(body: Buffer | undefined, path: string): unknown {
  if (body === undefined || body.length === 0) {
    throw new ValidationError(`${path === 'body' ? 'request body' : path} is empty`, { path });
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ValidationError(
      `${path === 'body' ? 'request body' : path} is not valid JSON: ${(error as Error).message}`,
      { path },
    );
  }
}

function requireJsonFormat(mediaType: string): void {
  if (!mediaType.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(
      `event format '${mediaType}' is not supported: use the JSON format (+json)`,
    );
  }
}

function mediaTypeOf(contentType: string | string[] | undefined): string {
  const value = headerValue(contentType) ?? '';
  return value.split(';', 1)[0]!.trim().toLowerCase();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isJson(mediaType: string): boolean {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

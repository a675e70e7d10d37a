/**
 * Entries of a partition stream. eventyard writes two fields, `o` (the
 * event's topic offset, from the topic's counter) and `e` (the envelope as
 * JSON). An entry someone else added with XADD is read as a foreign
 * message (core/foreign-message.ts), so handlers still get an envelope;
 * it has no offset, so consumers skip it (see group-member.ts).
 */

import type { Envelope } from '../../../core/envelope.ts';
import { adoptMessage } from '../../../core/foreign-message.ts';

/** An entry as Redis returns it (RESP2): [id, [field, value, field, value, ...]]. */
export type RawEntry = [id: string, fields: string[]];

export interface StreamEntry {
  readonly id: string;
  /** The topic offset; NaN for an entry eventyard did not write. */
  readonly offset: number;
  /** The envelope; undefined when the body is neither an envelope nor adoptable. */
  readonly event: Envelope | undefined;
}

export function parseEntry(raw: RawEntry, topic: string): StreamEntry {
  const [id, fields] = raw;
  let offset = Number.NaN;
  let body: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'o') offset = Number(fields[i + 1]);
    else if (fields[i] === 'e') body = fields[i + 1];
  }
  return { id, offset, event: readEvent(id, body, fields, topic) };
}

function readEvent(
  id: string,
  body: string | undefined,
  fields: readonly string[],
  topic: string,
): Envelope | undefined {
  if (body !== undefined) {
    try {
      const event = JSON.parse(body) as Envelope;
      if (typeof event === 'object' && event !== null && event.specversion === '1.0') return event;
    } catch {
      // not JSON: adopted below
    }
  }
  const foreign = body ?? (fields.length === 2 ? fields[1]! : JSON.stringify(fieldObject(fields)));
  try {
    return adoptMessage(foreign, { topic, messageId: id, time: new Date(idMs(id)) });
  } catch {
    return undefined;
  }
}

function fieldObject(fields: readonly string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) object[fields[i]!] = fields[i + 1]!;
  return object;
}

/** The offset of a raw entry without reading its body; NaN if it has none. */
export function offsetOfRaw(raw: RawEntry): number {
  const fields = raw[1];
  for (let i = 0; i + 1 < fields.length; i += 2)
    if (fields[i] === 'o') return Number(fields[i + 1]);
  return Number.NaN;
}

/** The millisecond part of a stream id. */
export function idMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** Orders stream ids as Redis does: by milliseconds, then sequence. */
export function compareIds(a: string, b: string): number {
  const dashA = a.indexOf('-');
  const dashB = b.indexOf('-');
  const msA = Number(a.slice(0, dashA));
  const msB = Number(b.slice(0, dashB));
  if (msA !== msB) return msA - msB;
  return Number(a.slice(dashA + 1)) - Number(b.slice(dashB + 1));
}

/** The largest id of the millisecond before `ms`: reading after it starts at `ms`. */
export function idBefore(ms: number): string {
  return ms <= 0 ? '0-0' : `${ms - 1}-18446744073709551615`;
}

/**
 * Where reading starts: the oldest event kept, the next one appended, a
 * topic offset, or the first event appended at or after a time.
 */
import { ValidationError } from './errors.ts';

export type Position =
  | 'earliest'
  | 'latest'
  | { readonly offset: number }
  | { readonly time: Date };

/**
 * Parses the CLI/HTTP spelling of a position: `earliest` (or `start`),
 * `latest` (or `end`), an offset, or an ISO 8601 time.
 */
export function parsePosition(text: string): Position {
  const value = text.trim();
  if (value === 'earliest' || value === 'start' || value === 'beginning') return 'earliest';
  if (value === 'latest' || value === 'end') return 'latest';
  if (/^\d+$/.test(value)) {
    const offset = Number(value);
    if (Number.isSafeInteger(offset)) return { offset };
  } else if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const time = new Date(value);
    // Date rolls impossible days over (2024-02-30 -> 03-01); refuse them instead.
    if (!Number.isNaN(time.getTime()) && sameCalendarDay(value, time)) return { time };
  }
  throw new ValidationError(
    `invalid position '${text}': use earliest, latest, an offset (a whole number) or an ISO 8601 time`,
    { path: 'position' },
  );
}

function sameCalendarDay(text: string, time: Date): boolean {
  if (text.length > 10) return true; // a full timestamp: its day may differ in UTC
  return time.toISOString().slice(0, 10) === text;
}

export function describePosition(position: Position): string {
  if (typeof position === 'string') return position;
  return 'offset' in position ? `offset ${position.offset}` : `time ${position.time.toISOString()}`;
}

/**
 * Parsers for option values, run by commander while it reads the command
 * line: a bad value is a usage error (exit 2) before anything is opened.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number >= `min`. */
export function wholeNumber(min = 0): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
      throw new InvalidArgumentError(`must be a whole number >= ${min}`);
    }
    return value;
  };
}

/** An ISO 8601 time, e.g. 2025-01-31T12:00:00Z. */
export function isoTime(text: string): Date {
  const time = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError('must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z');
  }
  return time;
}

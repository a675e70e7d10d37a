/**
 * What the commands print: aligned tables for people, JSON lines for
 * scripts (one object per line, so `jq` and `grep` work on a live tail).
 * Results go to stdout; only failures go to stderr.
 */
import type { Writable } from 'node:stream';

export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => Cell;
  /** Numbers read better right-aligned. Default: right when the first value is a number. */
  readonly align?: 'left' | 'right';
}

/** Rows as an aligned text table with a header line; '' when there are no rows. */
export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  if (rows.length === 0) return '';
  const cells = rows.map((row) => columns.map((column) => cellText(column.value(row))));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((line) => line[i]!.length)),
  );
  const aligns = columns.map(
    (column) => column.align ?? (typeof column.value(rows[0]!) === 'number' ? 'right' : 'left'),
  );
  const render = (line: readonly string[]) =>
    line
      .map((text, i) =>
        aligns[i] === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return `${[render(columns.map((c) => c.header)), ...cells.map(render)].join('\n')}\n`;
}

function cellText(value: Cell): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Events per second with one decimal: rates over a minute are never exact. */
export function formatRate(perSecond: number): string {
  return perSecond.toFixed(1);
}

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Writes one line, waiting when the reader is slower than we are (a
 * `tail` piped into a pager), so memory stays flat.
 */
export function writeLine(text: string, out: Writable = process.stdout): Promise<void> {
  if (out.write(`${text}\n`)) return Promise.resolve();
  return new Promise((resolve) => out.once('drain', resolve));
}

export async function writeJsonLines(
  records: Iterable<unknown>,
  out: Writable = process.stdout,
): Promise<void> {
  for (const record of records) await writeLine(JSON.stringify(record), out);
}

/** A table, or one JSON object per row with `--json`. */
export async function writeRows<T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  json: boolean,
  out: Writable = process.stdout,
): Promise<void> {
  if (json) await writeJsonLines(rows, out);
  else out.write(formatTable(rows, columns));
}

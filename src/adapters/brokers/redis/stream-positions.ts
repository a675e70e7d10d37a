/**
 * Positions (core/position.ts) on partition streams. A group or a reader
 * starts after an id: `earliest` after 0-0, `latest` after the last entry,
 * a time after the last id of the millisecond before it (ids are the
 * server's ms clock), an offset after the last entry whose offset is
 * below it. Offsets grow with ids, so that entry is found by a binary
 * search over milliseconds with XRANGE ... COUNT 1, about 40 round trips.
 */
import type { Redis } from 'ioredis';
import type { Position } from '../../../core/position.ts';
import { idBefore, idMs, offsetOfRaw, type RawEntry } from './stream-entry.ts';

const SCAN = 512;

/** The id after which reading `stream` from `position` starts. */
export async function startIdOf(
  client: Redis,
  stream: string,
  position: Position,
): Promise<string> {
  if (position === 'earliest') return '0-0';
  if (position === 'latest') return (await lastEntry(client, stream))?.id ?? '0-0';
  if ('time' in position) return idBefore(position.time.getTime());
  return lastIdBelowOffset(client, stream, position.offset);
}

async function firstEntry(client: Redis, stream: string, from = '-') {
  const rows = (await client.xrange(stream, from, '+', 'COUNT', 1)) as RawEntry[];
  return rows[0] ? { id: rows[0][0], offset: offsetOfRaw(rows[0]) } : undefined;
}

async function lastEntry(client: Redis, stream: string) {
  const rows = (await client.xrevrange(stream, '+', '-', 'COUNT', 1)) as RawEntry[];
  return rows[0] ? { id: rows[0][0], offset: offsetOfRaw(rows[0]) } : undefined;
}

async function lastIdBelowOffset(client: Redis, stream: string, offset: number): Promise<string> {
  const first = await firstEntry(client, stream);
  if (!first || !(first.offset < offset)) return '0-0';
  const last = (await lastEntry(client, stream))!;
  if (last.offset < offset) return last.id;
  // g(ms) = offset of the first entry at or after ms; g(low) < offset <= g(high).
  const g = async (ms: number) =>
    (await firstEntry(client, stream, `${ms}-0`))?.offset ?? Number.POSITIVE_INFINITY;
  let low = idMs(first.id);
  let high = idMs(last.id) + 1;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if ((await g(middle)) < offset) low = middle;
    else high = middle;
  }
  // The answer lies in millisecond `low`: the last of its entries below `offset`.
  let answer = '0-0';
  let from = `${low}-0`;
  for (;;) {
    const rows = (await client.xrange(
      stream,
      from,
      `${low}-18446744073709551615`,
      'COUNT',
      SCAN,
    )) as RawEntry[];
    for (const row of rows) {
      if (!(offsetOfRaw(row) < offset)) return answer;
      answer = row[0];
    }
    if (rows.length < SCAN) return answer;
    from = `(${rows[rows.length - 1]![0]}`;
  }
}

/**
 * Creates `group` on `stream` starting after `id`. Redis tracks a group's
 * lag by counting entries read; for a start that is not the stream's
 * start or end it cannot, so the count is given (ENTRIESREAD) by counting
 * what follows `id` once.
 */
export async function createGroup(
  client: Redis,
  stream: string,
  group: string,
  id: string,
): Promise<void> {
  const entriesRead = id === '0-0' ? undefined : await entriesReadAt(client, stream, id);
  const args: Array<string | number> = ['CREATE', stream, group, id, 'MKSTREAM'];
  if (entriesRead !== undefined) args.push('ENTRIESREAD', entriesRead);
  await client.call('XGROUP', ...args);
}

async function entriesReadAt(
  client: Redis,
  stream: string,
  id: string,
): Promise<number | undefined> {
  let info: unknown[];
  try {
    info = (await client.call('XINFO', 'STREAM', stream)) as unknown[];
  } catch {
    return undefined; // no stream yet: MKSTREAM makes an empty one
  }
  const added = Number(fieldOf(info, 'entries-added') ?? Number.NaN);
  if (!Number.isFinite(added)) return undefined;
  let after = 0;
  let from = `(${id}`;
  for (;;) {
    const rows = (await client.xrange(stream, from, '+', 'COUNT', 4096)) as RawEntry[];
    after += rows.length;
    if (rows.length < 4096) break;
    from = `(${rows[rows.length - 1]![0]}`;
  }
  return Math.max(0, added - after);
}

/** The value after `name` in a flat [name, value, ...] reply. */
export function fieldOf(flat: readonly unknown[], name: string): unknown {
  for (let i = 0; i + 1 < flat.length; i += 2) if (flat[i] === name) return flat[i + 1];
  return undefined;
}

/**
 * Taking a partition over: the new holder claims every entry of the stream
 * still pending in the group (XAUTOCLAIM with no idle threshold: holding
 * the partition's lease, it is the only reader, so whatever is pending was
 * left by an earlier holder that released the partition or died), in id
 * order, and delivers them before anything new. Their attempt numbers come
 * from the failures recorded for them. Consumers of the group that hold
 * nothing and are no longer members are deleted, so XINFO stays readable.
 */
import type { Redis } from 'ioredis';
import type { PendingEntry } from './partition-state.ts';
import { parseEntry, type RawEntry } from './stream-entry.ts';
import { fieldOf } from './stream-positions.ts';

const CLAIM_BATCH = 256;

export interface TakenOver {
  readonly entries: PendingEntry[];
  /** Entries that are no events of this broker: acknowledged without delivery. */
  readonly unreadable: string[];
}

export async function takeOverPending(
  client: Redis,
  options: { stream: string; group: string; member: string; topic: string; attempts: string },
): Promise<TakenOver> {
  const { stream, group, member, topic } = options;
  const rows: RawEntry[] = [];
  let cursor = '0-0';
  do {
    const [next, claimed] = (await client.call(
      'XAUTOCLAIM',
      stream,
      group,
      member,
      0,
      cursor,
      'COUNT',
      CLAIM_BATCH,
    )) as [string, Array<RawEntry | null>];
    for (const row of claimed) if (row) rows.push(row);
    cursor = next;
  } while (cursor !== '0-0');
  const entries: PendingEntry[] = [];
  const unreadable: string[] = [];
  const parsed = rows.map((row) => parseEntry(row, topic));
  const readable = parsed.filter((e) => e.event !== undefined && Number.isFinite(e.offset));
  const recorded =
    readable.length === 0
      ? []
      : await client.hmget(options.attempts, ...readable.map((e) => String(e.offset)));
  let r = 0;
  for (const entry of parsed) {
    if (entry.event === undefined || !Number.isFinite(entry.offset)) {
      unreadable.push(entry.id);
      continue;
    }
    const tries = Number(recorded[r++] ?? 0);
    entries.push({ id: entry.id, offset: entry.offset, event: entry.event, attempt: tries + 1 });
  }
  return { entries, unreadable };
}

/** Deletes consumers that hold no pending entry and are not live members. */
export async function forgetIdleConsumers(
  client: Redis,
  stream: string,
  group: string,
  membersKey: string,
): Promise<void> {
  const [consumers, members] = await Promise.all([
    client.call('XINFO', 'CONSUMERS', stream, group) as Promise<unknown[][]>,
    client.zrange(membersKey, '0', '-1'),
  ]);
  const live = new Set(members);
  const pipeline = client.pipeline();
  let stale = 0;
  for (const flat of consumers) {
    const name = String(fieldOf(flat, 'name'));
    if (Number(fieldOf(flat, 'pending')) === 0 && !live.has(name)) {
      pipeline.call('XGROUP', 'DELCONSUMER', stream, group, name);
      stale++;
    }
  }
  if (stale > 0) await pipeline.exec();
}

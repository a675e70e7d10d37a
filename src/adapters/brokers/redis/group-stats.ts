/**
 * Lag and position of the groups of a topic, summed over its partition
 * streams. Lag counts what a group has not acknowledged: the entries Redis
 * has not delivered to it yet (XINFO GROUPS `lag`, counted by hand when
 * Redis cannot tell, e.g. after trimming) plus the ones delivered and still
 * pending. Position is the lowest offset not acknowledged: the oldest
 * pending entry or the first undelivered one, over all partitions.
 */
import type { Redis } from 'ioredis';
import type { GroupInfo } from '../../../core/transport.ts';
import { liveMembers } from './partition-leases.ts';
import type { RateCounters } from './rate-counters.ts';
import type { TopicKeys } from './redis-keys.ts';
import { offsetOfRaw, type RawEntry } from './stream-entry.ts';
import { fieldOf } from './stream-positions.ts';

interface PartitionGroup {
  readonly partition: number;
  readonly pending: number;
  readonly lastDelivered: string;
  readonly lag: number | null;
}

export async function groupsOf(
  client: Redis,
  keys: TopicKeys,
  rates: RateCounters,
): Promise<GroupInfo[]> {
  const pipeline = client.pipeline();
  for (const stream of keys.streams) pipeline.call('XINFO', 'GROUPS', stream);
  const replies = (await pipeline.exec()) ?? [];
  const byGroup = new Map<string, PartitionGroup[]>();
  replies.forEach(([error, reply], partition) => {
    if (error) return; // no such stream (yet)
    for (const flat of reply as unknown[][]) {
      const name = String(fieldOf(flat, 'name'));
      const lag = fieldOf(flat, 'lag');
      const list = byGroup.get(name) ?? [];
      list.push({
        partition,
        pending: Number(fieldOf(flat, 'pending') ?? 0),
        lastDelivered: String(fieldOf(flat, 'last-delivered-id') ?? '0-0'),
        lag: lag === null || lag === undefined ? null : Number(lag),
      });
      byGroup.set(name, list);
    }
  });
  const names = [...byGroup.keys()].sort();
  if (names.length === 0) return [];
  const [seq, consumeRates] = await Promise.all([client.get(keys.seq), rates.rates(keys, names)]);
  const head = Number(seq ?? 0) + 1;
  return Promise.all(
    names.map(async (group, i) => {
      const partitions = byGroup.get(group)!;
      const [lag, position, live] = await Promise.all([
        lagOf(client, keys, partitions),
        positionOf(client, keys, group, partitions, head),
        liveMembers(client, keys.group(group)),
      ]);
      return {
        topic: keys.topic,
        group,
        position,
        lag,
        consumeRate: consumeRates[i]!,
        active: live > 0,
      };
    }),
  );
}

async function lagOf(
  client: Redis,
  keys: TopicKeys,
  partitions: readonly PartitionGroup[],
): Promise<number> {
  let lag = 0;
  for (const p of partitions) {
    lag += p.pending;
    lag += p.lag ?? (await countAfter(client, keys.streams[p.partition]!, p.lastDelivered));
  }
  return lag;
}

async function countAfter(client: Redis, stream: string, id: string): Promise<number> {
  let count = 0;
  let from = `(${id}`;
  for (;;) {
    const rows = (await client.xrange(stream, from, '+', 'COUNT', 4096)) as RawEntry[];
    count += rows.length;
    if (rows.length < 4096) return count;
    from = `(${rows[rows.length - 1]![0]}`;
  }
}

async function positionOf(
  client: Redis,
  keys: TopicKeys,
  group: string,
  partitions: readonly PartitionGroup[],
  head: number,
): Promise<number> {
  const pipeline = client.pipeline();
  for (const p of partitions) {
    const stream = keys.streams[p.partition]!;
    pipeline.call('XPENDING', stream, group);
    pipeline.xrange(stream, `(${p.lastDelivered}`, '+', 'COUNT', 1);
  }
  const replies = (await pipeline.exec()) ?? [];
  const oldestPending: Array<[string, string]> = [];
  let position = head;
  partitions.forEach((p, i) => {
    const [, summary] = replies[i * 2] ?? [];
    const [, next] = replies[i * 2 + 1] ?? [];
    const minId = (summary as [number, string | null] | undefined)?.[1];
    if (minId) oldestPending.push([keys.streams[p.partition]!, minId]);
    const first = (next as RawEntry[] | undefined)?.[0];
    if (first) position = Math.min(position, offsetOf(first));
  });
  if (oldestPending.length > 0) {
    const lookup = client.pipeline();
    for (const [stream, id] of oldestPending) lookup.xrange(stream, id, id);
    for (const [, rows] of (await lookup.exec()) ?? []) {
      const row = (rows as RawEntry[] | undefined)?.[0];
      if (row) position = Math.min(position, offsetOf(row));
    }
  }
  return position;
}

function offsetOf(row: RawEntry): number {
  const offset = offsetOfRaw(row);
  return Number.isFinite(offset) ? offset : Number.POSITIVE_INFINITY;
}

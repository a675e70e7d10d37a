/**
 * Reads a topic's history in offset order across its partition streams.
 * Each round reads, in one XREAD (one command, so one consistent snapshot),
 * the partitions whose buffers are empty, then yields buffered entries up
 * to a watermark: a partition that may still hold unseen entries (its read
 * was cut at the batch size, or it was not read this round) holds only
 * offsets above the last one seen of it, and anything appended later has
 * offsets above everything seen. Following waits on a blocking XREAD on a
 * connection of its own, used only as a wake-up: its reply (which Redis
 * may serve for one stream only) is dropped and the next round re-reads.
 */
import type { Redis } from 'ioredis';
import { sleep } from '../../../core/sleep.ts';
import type { ReadOptions, StoredEvent } from '../../../core/transport.ts';
import type { RedisConnections } from './redis-connections.ts';
import type { TopicKeys } from './redis-keys.ts';
import { parseEntry, type RawEntry, type StreamEntry } from './stream-entry.ts';
import { startIdOf } from './stream-positions.ts';
import type { TopicRegistry } from './topic-registry.ts';

const BATCH = 512;

export interface HistorySource {
  readonly connections: RedisConnections;
  readonly registry: TopicRegistry;
  readonly blockMs: number;
}

export async function* readHistory(
  source: HistorySource,
  topic: string,
  options: ReadOptions,
): AsyncGenerator<StoredEvent> {
  const { connections, registry } = source;
  const client = connections.command;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let keys = await registry.find(topic);
  while (!keys) {
    if (!options.follow || !(await sleep(200, options.signal))) return;
    keys = await registry.find(topic);
  }
  const cursors = await Promise.all(keys.streams.map((s) => startIdOf(client, s, options.from)));
  const merge = new PartitionMerge(keys.partitions);
  let blocker: Redis | undefined;
  let yielded = 0;
  try {
    for (;;) {
      const read = await readRound(client, keys, cursors, merge);
      for (const entry of merge.drain()) {
        if (entry.event === undefined || !Number.isFinite(entry.offset)) continue;
        yield { topic, offset: entry.offset, event: entry.event };
        if (++yielded >= limit) return;
      }
      if (read > 0 || merge.buffered > 0) continue;
      if (!options.follow || options.signal?.aborted || connections.closed) return;
      blocker ??= connections.dedicated(`follow-${topic}`);
      if (!(await waitForAppend(blocker, keys, cursors, source.blockMs, options.signal))) return;
    }
  } finally {
    if (blocker) connections.release(blocker);
  }
}

/** Reads the partitions with empty buffers; returns how many entries came. */
async function readRound(
  client: Redis,
  keys: TopicKeys,
  cursors: string[],
  merge: PartitionMerge,
): Promise<number> {
  const partitions = merge.empty();
  merge.startRound();
  if (partitions.length === 0) return 0;
  const reply = (await client.call(
    'XREAD',
    'COUNT',
    BATCH,
    'STREAMS',
    ...partitions.map((p) => keys.streams[p]!),
    ...partitions.map((p) => cursors[p]!),
  )) as Array<[string, RawEntry[]]> | null;
  const byKey = new Map(reply ?? []);
  let count = 0;
  for (const p of partitions) {
    const rows = byKey.get(keys.streams[p]!) ?? [];
    if (rows.length > 0) cursors[p] = rows[rows.length - 1]![0];
    merge.add(
      p,
      rows.map((row) => parseEntry(row, keys.topic)),
      rows.length >= BATCH,
    );
    count += rows.length;
  }
  return count;
}

async function waitForAppend(
  blocker: Redis,
  keys: TopicKeys,
  cursors: readonly string[],
  blockMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const onAbort = () => blocker.disconnect();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await blocker.call(
      'XREAD',
      'COUNT',
      1,
      'BLOCK',
      blockMs,
      'STREAMS',
      ...keys.streams,
      ...cursors,
    );
  } catch {
    if (signal?.aborted) return false;
    await sleep(200, signal); // connection trouble: ioredis reconnects; try again shortly
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return !signal?.aborted;
}

/** Per-partition buffers and the watermark rule above. */
class PartitionMerge {
  readonly #buffers: StreamEntry[][];
  readonly #heads: number[];
  /** Partitions read this round whose read was not cut short: they hold nothing unseen. */
  readonly #complete: boolean[];

  constructor(partitions: number) {
    this.#buffers = Array.from({ length: partitions }, () => []);
    this.#heads = new Array<number>(partitions).fill(0);
    this.#complete = new Array<boolean>(partitions).fill(false);
  }

  get buffered(): number {
    return this.#buffers.reduce((sum, b, p) => sum + b.length - this.#heads[p]!, 0);
  }

  empty(): number[] {
    return this.#buffers.flatMap((b, p) => (this.#heads[p]! >= b.length ? [p] : []));
  }

  startRound(): void {
    this.#complete.fill(false);
  }

  add(partition: number, entries: StreamEntry[], cut: boolean): void {
    this.#buffers[partition] = entries;
    this.#heads[partition] = 0;
    this.#complete[partition] = !cut;
  }

  /** Entries safe to yield now, in offset order. */
  *drain(): Generator<StreamEntry> {
    let watermark = Number.POSITIVE_INFINITY;
    for (let p = 0; p < this.#buffers.length; p++) {
      const buffer = this.#buffers[p]!;
      if (this.#complete[p] || buffer.length === 0) continue;
      watermark = Math.min(watermark, lastOffset(buffer));
    }
    for (;;) {
      let best = -1;
      for (let p = 0; p < this.#buffers.length; p++) {
        const entry = this.#buffers[p]![this.#heads[p]!];
        if (!entry) continue;
        if (best < 0 || order(entry) < order(this.#buffers[best]![this.#heads[best]!]!)) best = p;
      }
      if (best < 0) return;
      const entry = this.#buffers[best]![this.#heads[best]!]!;
      if (order(entry) > watermark) return;
      this.#heads[best]!++;
      yield entry;
    }
  }
}

/** Entries without an offset (foreign) sort first and are skipped by the reader. */
function order(entry: StreamEntry): number {
  return Number.isFinite(entry.offset) ? entry.offset : Number.NEGATIVE_INFINITY;
}

function lastOffset(buffer: readonly StreamEntry[]): number {
  for (let i = buffer.length - 1; i >= 0; i--) {
    if (Number.isFinite(buffer[i]!.offset)) return buffer[i]!.offset;
  }
  return Number.NEGATIVE_INFINITY;
}

/**
 * The read loop of one group member: one blocking XREADGROUP over the
 * partition streams it reads, on a connection of its own (a blocked read
 * holds its socket), asking for no more entries than the member has room
 * for. `wake` ends a blocked read early (CLIENT UNBLOCK), so a partition
 * taken or released is read, or let go, at once.
 *
 * A lost reply: when the reader's connection drops, the server may have
 * run an XREADGROUP whose reply never arrived (ioredis sends it again, and
 * the second one reads past it). Those entries are pending for this member
 * and nobody else would deliver them while it holds the partition. So after
 * a drop the reader reads the member's own pending entries instead (id 0,
 * in stream order) and hands over those the partition does not know;
 * acknowledgements still on their way go out first, so an acknowledged
 * entry is not delivered again.
 */
import type { Redis } from 'ioredis';
import { sleep } from '../../../core/sleep.ts';
import type { PartitionState } from './partition-state.ts';
import type { RedisConnections } from './redis-connections.ts';
import type { RawEntry } from './stream-entry.ts';

type StreamReply = Array<[string, RawEntry[]]>;

export interface StreamReaderOptions {
  readonly connections: RedisConnections;
  readonly group: string;
  /** The member's consumer name. */
  readonly name: string;
  readonly blockMs: number;
  /** What to read now: the partitions and how many entries; undefined waits for `wake`. */
  readonly plan: () =>
    | { readonly states: readonly PartitionState[]; readonly room: number }
    | undefined;
  /** Entries read from a partition, in stream order. */
  readonly accept: (state: PartitionState, rows: readonly RawEntry[]) => void;
  /** After each read, with or without entries. */
  readonly afterRead: () => void;
  /** Resolves once every acknowledgement so far is in Redis. */
  readonly flushAcks: () => Promise<void>;
  /** A read failed (other than by the connection dropping, which ioredis rides out). */
  readonly failed: (error: unknown) => Promise<void>;
}

export class StreamReader {
  readonly #o: StreamReaderOptions;
  readonly #client: Redis;
  readonly #connection: Redis;
  #connectionId: number | undefined;
  #reading: ReadonlySet<number> = new Set();
  #idleWaiter: (() => void) | undefined;
  #replyLost = false;
  #stopped = false;
  readonly #loop: Promise<void>;

  constructor(options: StreamReaderOptions) {
    this.#o = options;
    this.#client = options.connections.command;
    this.#connection = options.connections.dedicated(`consumer-${options.name}`);
    this.#connection.on('close', () => {
      this.#connectionId = undefined;
      this.#replyLost = true;
    });
    this.#loop = this.#run();
  }

  /** Whether a read of the partition is under way (its entries may still arrive). */
  isReading(partition: number): boolean {
    return this.#reading.has(partition);
  }

  /** Makes the loop look again now: ends a blocked read early. */
  wake(): void {
    this.wakeIdle();
    if (this.#reading.size > 0 && this.#connectionId !== undefined) {
      this.#client.client('UNBLOCK', this.#connectionId).catch(() => {});
    }
  }

  /** Makes an idle loop (nothing to read, or no room) look again. */
  wakeIdle(): void {
    const waiter = this.#idleWaiter;
    this.#idleWaiter = undefined;
    waiter?.();
  }

  /** Ends the loop; a read cut off leaves its entries pending for the partition's next holder. */
  async close(): Promise<void> {
    this.#stopped = true;
    this.wakeIdle();
    this.#o.connections.release(this.#connection);
    await this.#loop;
  }

  /** No more reads after the current one. */
  stop(): void {
    this.#stopped = true;
    this.wake();
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const plan = this.#o.plan();
      if (!plan || plan.states.length === 0 || plan.room <= 0) {
        await new Promise<void>((resolve) => {
          this.#idleWaiter = resolve;
        });
        continue;
      }
      const { states, room } = plan;
      let reply: StreamReply | null = null;
      this.#reading = new Set(states.map((s) => s.partition));
      try {
        this.#connectionId ??= Number(await this.#connection.client('ID'));
        reply = (await this.#connection.call(
          'XREADGROUP',
          'GROUP',
          this.#o.group,
          this.#o.name,
          'COUNT',
          room,
          'BLOCK',
          this.#o.blockMs,
          'STREAMS',
          ...states.map((s) => s.stream),
          ...states.map(() => '>'),
        )) as StreamReply | null;
        if (this.#replyLost) reply = await this.#ownPending(states);
      } catch (error) {
        if (this.#stopped) break;
        this.#replyLost = true;
        await this.#o.failed(error);
        await sleep(200);
      } finally {
        this.#reading = new Set();
      }
      const byStream = new Map(states.map((s) => [s.stream, s]));
      for (const [stream, rows] of reply ?? []) {
        const state = byStream.get(stream);
        if (state) this.#o.accept(state, rows);
      }
      this.#o.afterRead();
    }
  }

  async #ownPending(states: readonly PartitionState[]): Promise<StreamReply> {
    this.#replyLost = false;
    await this.#o.flushAcks();
    const reply = (await this.#client.call(
      'XREADGROUP',
      'GROUP',
      this.#o.group,
      this.#o.name,
      'STREAMS',
      ...states.map((s) => s.stream),
      ...states.map(() => '0'),
    )) as StreamReply | null;
    const byStream = new Map(states.map((s) => [s.stream, s]));
    return (reply ?? []).map(([stream, rows]) => [
      stream,
      rows.filter(([id]) => !byStream.get(stream)?.known.has(id)),
    ]);
  }
}

/**
 * What every section of a bench run shares: its temp dir, sizes and
 * events, where finished sections go, and the floors the issue sets.
 */
import type { Section } from './report.ts';
import type { BenchSizes, benchEvents } from './workload.ts';

export interface BenchContext {
  /** Fresh temp dir of this run, removed at the end. */
  readonly dir: string;
  readonly sizes: BenchSizes;
  /** The measured events, the same for both sides of every comparison. */
  readonly events: ReturnType<typeof benchEvents>;
  readonly warmup: ReturnType<typeof benchEvents>;
  /** Records a finished section (and prints it, in table mode). */
  readonly emit: (section: Section) => void;
}

/** Issue 3, "What it must show": events/s for concurrent durable publish and for consume. */
export const TARGET_RATE = 100_000;
/** Issue 3: concurrent publish at least this fraction of raw better-sqlite3 batched inserts. */
export const TARGET_RAW_RATIO = 0.5;

/**
 * What a measurement yields, in the shape both the table and `--json`
 * print, and the arithmetic on it (rates, percentiles, ratios).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Throughput {
  readonly name: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface Latency {
  readonly name: string;
  /** Events whose latency was sampled. */
  readonly events: number;
  /** Publish rate aimed at, events/s. */
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** `numerator` / `denominator` of two throughputs, with the target it must reach if any. */
export interface Ratio {
  readonly name: string;
  readonly value: number;
  readonly atLeast?: number;
}

/** An absolute figure the issue sets a floor for. */
export interface Target {
  readonly name: string;
  readonly value: number;
  readonly atLeast: number;
  readonly unit: string;
}

export function throughput(name: string, events: number, elapsedMs: number): Throughput {
  const seconds = elapsedMs / 1000;
  return { name, events, seconds, eventsPerSecond: seconds > 0 ? events / seconds : 0 };
}

export function ratio(
  name: string,
  numerator: Throughput,
  denominator: Throughput,
  atLeast?: number,
): Ratio {
  const value =
    denominator.eventsPerSecond > 0 ? numerator.eventsPerSecond / denominator.eventsPerSecond : 0;
  return atLeast === undefined ? { name, value } : { name, value, atLeast };
}

/** Nearest-rank percentile (0 < p <= 100) of samples; 0 for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/**
 * Runs `callers` concurrent loops; each takes the next index and awaits
 * `work(index)` until `count` indexes are taken or `seconds` have passed.
 * Returns how many completed and how long it took, ms.
 */
/**
 * A full garbage collection, when the bench runs with --expose-gc (`npm run
 * bench` does): each measured phase starts without the garbage of the one
 * before, whichever side left it. A consume leaves enough that the next
 * publish, of either side, paid a major collection for it.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Busy and total CPU time of the machine so far (/proc/stat, all CPUs), or undefined off Linux. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
    const total = values.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * Writes what earlier work left in the page cache to disk (`sync`), then
 * waits (at most `maxMs`) until the machine has been quiet, under
 * `busyShare` of its CPU, for a whole `windowMs`: the engines of earlier
 * sections go on deleting and flushing after those sections end (hundreds
 * of MB of streams), and a latency measured meanwhile measures their disk
 * writes behind its own. Resolves with the ms it waited.
 */
export async function settleMachine(
  busyShare = 0.2,
  windowMs = 1_000,
  maxMs = 60_000,
): Promise<number> {
  const started = performance.now();
  try {
    execFileSync('sync');
  } catch {
    // No sync command: the wait below is all there is.
  }
  let before = machineCpu();
  if (!before) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    return performance.now() - started;
  }
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const now = machineCpu()!;
    const share = (now.busy - before.busy) / Math.max(1, now.total - before.total);
    before = now;
    if (share < busyShare) break;
  }
  return performance.now() - started;
}

export async function runCallers(
  callers: number,
  count: number,
  seconds: number,
  work: (index: number) => Promise<unknown>,
): Promise<{ completed: number; elapsedMs: number }> {
  let next = 0;
  let completed = 0;
  collectGarbage();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const caller = async () => {
    while (next < count && performance.now() < deadline) {
      await work(next++);
      completed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(callers, count) }, caller));
  return { completed, elapsedMs: performance.now() - started };
}

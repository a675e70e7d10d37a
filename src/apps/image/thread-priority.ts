/**
 * Lowers the CPU priority of the process that makes images (the child of
 * image-process.ts). On Linux the nice value belongs to each thread
 * (setpriority on a thread id, see setpriority(2)), and a thread starts at
 * the priority of the thread that starts it: lowering every thread there is
 * at the start also lowers those started later (libuv's pool, libvips's
 * workers). Elsewhere the nice value is the process's.
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

const TASKS = '/proc/self/task';

/** Lowers every thread of this process to `nice` (never raises one). Returns a problem to report, if any. */
export function lowerProcess(nice: number): string | undefined {
  if (nice === 0) return undefined;
  try {
    if (getPriority() < nice) setPriority(nice);
    for (const tid of threads()) if (getPriority(tid) < nice) setPriority(tid, nice);
    return undefined;
  } catch (error) {
    return `could not lower the image process to nice ${nice}: ${String(error)}`;
  }
}

/** This process's thread ids; none where /proc/self/task does not exist. */
function threads(): number[] {
  try {
    return readdirSync(TASKS).map(Number);
  } catch {
    return [];
  }
}

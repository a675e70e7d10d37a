/**
 * Image work at a lower CPU priority than the rest of the process, so a
 * worker that shares a host with an API (`npm start`) takes the CPU the API
 * leaves idle instead of queueing its requests. libvips does the pixel
 * work on its own threads, which glib names `libvips worker`; on Linux the
 * nice value belongs to each thread (setpriority on its thread id, see
 * setpriority(2)), so those threads alone are lowered. libvips starts them
 * as it needs them and keeps them, so new ones are looked for every
 * `SCAN_MS`. Elsewhere (no /proc/self/task) this does nothing and says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

const TASKS = '/proc/self/task';
const LIBVIPS_THREAD = 'libvips worker';
const SCAN_MS = 500;

export interface ThreadPriority {
  /** Threads lowered so far. */
  readonly lowered: number;
  stop(): void;
}

/** Keeps libvips's threads at `nice` (1 to 19; 0 leaves them alone). */
export function lowerImageThreads(
  nice: number,
  onProblem: (message: string) => void,
): ThreadPriority {
  const lowered = new Set<number>();
  const none = { lowered: 0, stop: () => {} };
  if (nice === 0) return none;
  if (!tasks()) {
    onProblem(`image threads keep their priority: ${TASKS} is not readable on this system`);
    return none;
  }
  const scan = () => {
    for (const tid of tasks() ?? []) {
      if (lowered.has(tid) || threadName(tid) !== LIBVIPS_THREAD) continue;
      try {
        // Only ever lowered: with two apps in one process, the lower priority asked for holds.
        if (getPriority(tid) < nice) setPriority(tid, nice);
        lowered.add(tid);
      } catch (error) {
        onProblem(`could not lower image thread ${tid} to nice ${nice}: ${String(error)}`);
        lowered.add(tid); // said once, not every scan
      }
    }
    // Threads that ended: their ids may come back for other threads.
    const alive = new Set(tasks());
    for (const tid of lowered) if (!alive.has(tid)) lowered.delete(tid);
  };
  scan();
  const timer = setInterval(scan, SCAN_MS);
  timer.unref();
  return {
    get lowered() {
      return lowered.size;
    },
    stop: () => clearInterval(timer),
  };
}

function tasks(): number[] | undefined {
  try {
    return readdirSync(TASKS).map(Number);
  } catch {
    return undefined;
  }
}

function threadName(tid: number): string | undefined {
  try {
    return readFileSync(`${TASKS}/${tid}/comm`, 'utf8').trim();
  } catch {
    return undefined; // ended meanwhile
  }
}

/**
 * Image work at a lower CPU priority than the rest of the host, so a
 * service that shares a host with an API (`npm start`) takes the CPU the API
 * leaves idle instead of queueing its requests. On Linux the nice value
 * belongs to each thread (setpriority on its thread id, see setpriority(2)),
 * and a thread starts at the priority of the thread that starts it.
 *
 * - `lowerProcess`: every thread of a process made for image work (the
 *   jobs worker's image process), once at its start: to a nice value, and
 *   into Linux's idle scheduling class (SCHED_IDLE) where asked. A nice
 *   value only weighs a thread's share: an API thread that wakes while a
 *   nice-10 image thread runs still waited for a core, 3.5 s in a 12.6 s
 *   run at 500 requests/s. An idle-class thread gives its core up to any
 *   other thread that wakes, at once (1.7 s of wait in the same run, and
 *   p50 4.3 ms became 2.6). Node has no call for it, so util-linux's
 *   `chrt` sets it; where that fails, the nice value stands alone.
 * - `lowerImageThreads`: in a shared process (the media thumbnailer), the
 *   threads libvips does its pixel work on, which glib names `libvips
 *   worker`. libvips starts them as it needs them and keeps them, so new
 *   ones are looked for every `SCAN_MS`. sharp's decoding and encoding on
 *   libuv's pool stays at the process's priority: those threads carry no
 *   name to find them by. Elsewhere (no /proc/self/task) this does nothing
 *   and says so.
 */
import { execFileSync } from 'node:child_process';
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

/**
 * One scan for the whole process, however many services ask (the jobs
 * worker and the media thumbnailer share a host under `npm start`): it
 * holds the highest nice value asked for and stops with the last asker.
 */
const asked = new Set<{ readonly nice: number; readonly onProblem: (message: string) => void }>();
const lowered = new Set<number>();
let timer: NodeJS.Timeout | undefined;

function scan(): void {
  const alive = tasks() ?? [];
  let nice = 0;
  for (const ask of asked) nice = Math.max(nice, ask.nice);
  for (const tid of alive) {
    if (lowered.has(tid) || threadName(tid) !== LIBVIPS_THREAD) continue;
    try {
      // Only ever lowered: a thread a stopped asker left lower stays so.
      if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch (error) {
      for (const ask of asked) {
        ask.onProblem(`could not lower image thread ${tid} to nice ${nice}: ${String(error)}`);
      }
    }
    lowered.add(tid); // tried once, not every scan
  }
  // Threads that ended: their ids may come back for other threads.
  const ids = new Set(alive);
  for (const tid of lowered) if (!ids.has(tid)) lowered.delete(tid);
}

/** Keeps libvips's threads at `nice` or lower priority (1 to 19; 0 leaves them alone). */
export function lowerImageThreads(
  nice: number,
  onProblem: (message: string) => void,
): ThreadPriority {
  const none = { lowered: 0, stop: () => {} };
  if (nice === 0) return none;
  if (!tasks()) {
    onProblem(`image threads keep their priority: ${TASKS} is not readable on this system`);
    return none;
  }
  const ask = { nice, onProblem };
  asked.add(ask);
  // A higher nice than any before: threads already seen are lowered again.
  lowered.clear();
  scan();
  if (!timer) {
    timer = setInterval(scan, SCAN_MS);
    timer.unref();
  }
  return {
    get lowered() {
      return lowered.size;
    },
    stop: () => {
      asked.delete(ask);
      if (asked.size > 0 || !timer) return;
      clearInterval(timer);
      timer = undefined;
    },
  };
}

export interface ProcessPriority {
  /** Nice value, 0 to 19 (0: unchanged). */
  readonly nice: number;
  /** Linux's idle scheduling class (SCHED_IDLE): a core only when no other thread wants it. */
  readonly idle: boolean;
}

/**
 * Lowers every thread of this process to `priority` (never raises one). A
 * thread starts at the priority and scheduling class of the thread that
 * starts it, so threads started later (libuv's pool, libvips's workers)
 * are lowered too. Returns the problems to report; the process works on
 * regardless.
 */
export function lowerProcess(priority: ProcessPriority): string[] {
  const problems: string[] = [];
  const { nice, idle } = priority;
  if (nice > 0) {
    try {
      if (getPriority() < nice) setPriority(nice); // this thread; the whole process where nice is per process
      for (const tid of tasks() ?? []) if (getPriority(tid) < nice) setPriority(tid, nice);
    } catch (error) {
      problems.push(`could not lower the process to nice ${nice}: ${String(error)}`);
    }
  }
  if (idle) {
    try {
      execFileSync('chrt', ['--idle', '--all-tasks', '--pid', '0', String(process.pid)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 5_000,
      });
    } catch (error) {
      const said = (error as { stderr?: Buffer }).stderr?.toString().trim();
      problems.push(
        `could not put the process in the idle scheduling class with chrt (util-linux): ${said || String(error)}`,
      );
    }
  }
  return problems;
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

/**
 * Runs the real `eventyard` command as a child process, the way a user
 * does, with its own data dir and no EVENTYARD_* variable of the parent.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/runtime/config.ts';
import { type Engines, openEngines } from '../../src/runtime/engines.ts';

export const BIN = resolve(import.meta.dirname, '../../bin/eventyard.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** EVENTYARD_* variables (and others) for the child, on top of a clean environment. */
  readonly env?: Record<string, string>;
  /** Written to the child's stdin, which is then closed. */
  readonly input?: string;
  /** Kills the child after this long, ms. Default 20 000. */
  readonly timeoutMs?: number;
}

/** The parent's environment without any EVENTYARD_* setting, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('EVENTYARD_')) env[name] = value;
  }
  return { ...env, ...extra };
}

export function spawnCli(
  args: readonly string[],
  options: CliOptions = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv(options.env),
    stdio: 'pipe',
  });
}

/** Runs `eventyard <args>` to its end. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

/** The JSON lines of a command's stdout. */
export function jsonLines<T = Record<string, unknown>>(stdout: string): T[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Lines a running child prints on stdout, one at a time. */
export function lineReader(child: ChildProcessWithoutNullStreams): {
  next(timeoutMs?: number): Promise<string>;
} {
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter(line);
    else lines.push(line);
  });
  return {
    next(timeoutMs = 15_000) {
      const line = lines.shift();
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((done, fail) => {
        const waiter = (value: string) => {
          clearTimeout(timer);
          done(value);
        };
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(waiter), 1);
          fail(new Error(`no line within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.push(waiter);
      });
    },
  };
}

/** Resolves with the exit code once the child has ended. */
export function exitOf(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

/** The engines the CLI opens for `dataDir`, opened in the test process. */
export function openTestEngines(dataDir: string): Promise<Engines> {
  return openEngines(loadConfig({ EVENTYARD_DATA_DIR: dataDir }));
}

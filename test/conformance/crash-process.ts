import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));

export interface CrashChild {
  readonly process: ChildProcess;
  /** Resolves when the child printed `ready`; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Sends SIGKILL and waits for the exit. */
  kill(): Promise<void>;
  stderr(): string;
}

export function spawnChild(args: {
  moduleUrl: string;
  scope: string;
  role: 'publish' | 'consume' | 'consume-hang';
  topic: string;
  group: string;
  outFile: string;
}): CrashChild {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      args.moduleUrl,
      args.scope,
      args.role,
      args.topic,
      args.group,
      args.outFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`child exited before ready (code ${code}, signal ${signal}): ${stderr}`)),
    );
  });
  return {
    process: child,
    ready,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stderr: () => stderr,
  };
}

/** The lines a child wrote to its out file. */
export function linesOf(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

export function randomBetween(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min));
}

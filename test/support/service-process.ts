/**
 * `eventyard run <service...>` as a child process, the way a deployment
 * runs one container per service: its own HTTP port, JSON logs captured for
 * the test's failure message, stopped (SIGTERM, or kill -9) by the test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

const BIN = resolve(import.meta.dirname, '../../bin/eventyard.js');

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** stdout and stderr so far (the last 20 000 characters). */
  output(): string;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  /** Stops it (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startService(
  services: readonly string[],
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'run', ...services], {
    env: {
      ...process.env,
      EVENTYARD_PORT: String(port),
      EVENTYARD_LOG_LEVEL: 'warn',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | NodeJS.Signals | null>((done) =>
    child.once('exit', (code, signal) => done(signal ?? code)),
  );
  const url = `http://127.0.0.1:${port}`;
  const name = services.join(' ');
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await waitFor(
    `${name} to answer /health`,
    async () => {
      if (gone) throw new Error(`${name} exited before it was healthy:\n${output}`);
      return (await fetch(`${url}/health`).catch(() => undefined))?.ok;
    },
    30_000,
    50,
  );
  return {
    name,
    url,
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}

/** Events of `topic` the process's handlers finished, from its /metrics. */
export async function consumedBy(process: ServiceProcess, topic: string): Promise<number> {
  const text = await (await fetch(`${process.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('eventyard_events_consumed_total{') && line.includes(`topic="${topic}"`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

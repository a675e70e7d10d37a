import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createEvent } from '../../src/core/envelope.ts';
import { openEngines } from '../../src/runtime/engines.ts';
import { uniqueName } from '../support/names.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait.ts';
import { testConfig } from './test-config.ts';

const FIXTURE = fileURLToPath(new URL('../fixtures/runtime/slow-service-host.ts', import.meta.url));

interface Child {
  readonly process: ChildProcess;
  lines(): string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(
  dataDir: string,
  topic: string,
  handlerMs: number,
  env: Record<string, string> = {},
): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, topic, String(handlerMs)], {
    env: {
      PATH: process.env.PATH,
      EVENTYARD_DATA_DIR: dataDir,
      EVENTYARD_PORT: '0',
      EVENTYARD_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  exited.then(({ code }) => {
    if (code !== 0 && stderr) console.error(stderr);
  });
  return { process: child, lines: () => stdout.split('\n'), exited };
}

async function publishTo(child: Child, topic: string): Promise<string> {
  const listening = await waitFor('the child to listen', () =>
    child.lines().find((line) => line.startsWith('listening ')),
  );
  const url = listening.slice('listening '.length);
  const event = createEvent({ type: 'slow.work', data: {} });
  const response = await fetch(`${url}/api/topics/${topic}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify(event),
  });
  assert.equal(response.status, 201);
  await waitFor('the handler to start', () => child.lines().includes(`handling ${event.id}`));
  return event.id;
}

async function lagOf(dataDir: string, topic: string): Promise<number> {
  const engines = await openEngines(testConfig(dataDir));
  try {
    const groups = await engines.broker.groups(topic);
    assert.equal(groups.length, 1);
    return groups[0]!.lag;
  } finally {
    await engines.close();
  }
}

describe('graceful shutdown', { timeout: 60_000 }, () => {
  it('on SIGTERM lets the running handler finish, acknowledges its event and exits 0', async () => {
    const dir = tempDir();
    try {
      const topic = uniqueName('drain');
      const child = startChild(dir.path, topic, 1_000);
      const id = await publishTo(child, topic);
      child.process.kill('SIGTERM');
      const { code } = await child.exited;
      assert.equal(code, 0);
      assert.ok(child.lines().includes(`handled ${id}`), 'the handler ran to its end');
      assert.equal(await lagOf(dir.path, topic), 0, 'the event was acknowledged, not lost');
    } finally {
      dir.remove();
    }
  });

  it('on a second signal exits at once with 1, leaving the event to be redelivered', async () => {
    const dir = tempDir();
    try {
      const topic = uniqueName('abort');
      const child = startChild(dir.path, topic, 60_000, { EVENTYARD_LOG_LEVEL: 'info' });
      const id = await publishTo(child, topic);
      child.process.kill('SIGTERM');
      await waitFor('the drain to begin', () =>
        child.lines().some((line) => line.includes('shutting down')),
      );
      child.process.kill('SIGINT');
      const { code } = await child.exited;
      assert.equal(code, 1);
      assert.ok(!child.lines().includes(`handled ${id}`));
      assert.equal(await lagOf(dir.path, topic), 1, 'the unfinished event is still there');
    } finally {
      dir.remove();
    }
  });

  it('exits 1 when handlers outlast EVENTYARD_SHUTDOWN_TIMEOUT_MS', async () => {
    const dir = tempDir();
    try {
      const topic = uniqueName('timeout');
      const child = startChild(dir.path, topic, 60_000, { EVENTYARD_SHUTDOWN_TIMEOUT_MS: '300' });
      await publishTo(child, topic);
      child.process.kill('SIGTERM');
      const { code } = await child.exited;
      assert.equal(code, 1);
      assert.ok(child.lines().some((line) => line.includes('EVENTYARD_SHUTDOWN_TIMEOUT_MS=300')));
      assert.equal(await lagOf(dir.path, topic), 1);
    } finally {
      dir.remove();
    }
  });
});

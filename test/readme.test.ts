/**
 * The README's commands and example run here, so the docs cannot drift
 * (STYLE 12). Blocks are found by their `<!-- readme-test: name -->` marker.
 * Commands run as a user types them, except: the server gets a free port and
 * a temp data dir, `npx eventyard` runs bin/eventyard.js directly, and
 * `npm install` is left to the test setup (CI has run `npm ci`).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { describeJobsConfig } from '../src/apps/jobs/jobs-config.ts';
import { describeMediaConfig } from '../src/apps/media/media-config.ts';
import { describeConfig } from '../src/runtime/config.ts';
import { describeJwtConfig } from '../src/runtime/jwt.ts';
import { freePort } from './support/ports.ts';
import { tempDir } from './support/temp-dir.ts';
import { waitFor } from './support/wait.ts';

const ROOT = resolve(import.meta.dirname, '..');
const README = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const run = promisify(execFile);

function block(name: string): string {
  const marker = `<!-- readme-test: ${name} -->`;
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `README has no block marked ${marker}`);
  const match = /```\w*\n([\s\S]*?)```/.exec(README.slice(at));
  assert.ok(match, `no code block after ${marker}`);
  return match[1]!;
}

/** The table rows right after a marker, split into trimmed cells without backticks. */
function tableRows(name: string): string[][] {
  const marker = `<!-- readme-test: ${name} -->`;
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `README has no table marked ${marker}`);
  const lines = README.slice(at + marker.length)
    .trimStart()
    .split('\n');
  const table = lines.slice(
    0,
    lines.findIndex((line) => !line.startsWith('|')),
  );
  return table.slice(2).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim().replaceAll('`', '')),
  );
}

/** Shell commands of a block, with `\` continuations joined. */
function commands(text: string): string[] {
  return text
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
}

interface Session {
  readonly env: NodeJS.ProcessEnv;
  readonly port: number;
  shell(command: string): Promise<string>;
  background(command: string): ChildProcess;
}

async function session(t: { after: (fn: () => unknown) => void }): Promise<Session> {
  const dir = tempDir();
  const port = await freePort();
  // The S3 endpoint's 9000 may be taken by a test running alongside.
  const s3Port = await freePort();
  const env = {
    ...process.env,
    EVENTYARD_DATA_DIR: dir.path,
    EVENTYARD_PORT: String(port),
    EVENTYARD_S3_PORT: String(s3Port),
    // Where examples/media/upload.ts finds the server.
    API_URL: `http://127.0.0.1:${port}`,
    S3_URL: `http://127.0.0.1:${s3Port}`,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const children: ChildProcess[] = [];
  t.after(async () => {
    for (const child of children) {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        // The whole process group, as Ctrl-C does: npm does not pass SIGTERM on to its child.
        process.kill(-child.pid!, 'SIGTERM');
        await exited;
      }
      // npm exits at once; the server it started drains (a thumbnail may still be written).
      await waitFor(
        'every process of the group to exit',
        () => !groupAlive(child.pid!),
        30_000,
        50,
      );
    }
    dir.remove();
  });
  const adapt = (command: string) =>
    command
      .replaceAll('localhost:8080', `127.0.0.1:${port}`)
      .replaceAll('npx eventyard', `node ${resolve(ROOT, 'bin/eventyard.js')}`);
  return {
    env,
    port,
    async shell(command) {
      const { stdout } = await run('sh', ['-c', adapt(command)], { cwd: ROOT, env });
      return stdout;
    },
    background(command) {
      const child = spawn('sh', ['-c', `exec ${adapt(command.replace(/&$/, ''))}`], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
        detached: true,
      });
      children.push(child);
      return child;
    },
  };
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function answers(port: number): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
  return response?.ok === true;
}

async function untilHealthy(port: number): Promise<void> {
  await waitFor('the server to answer /health', () => answers(port), 20_000, 100);
}

test('the quickstart: npm start, then publish, tail, topics, health and metrics', async (t) => {
  const start = commands(block('quickstart'));
  assert.deepEqual(start, ['npm install', 'npm start']);
  const scripts = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts;
  assert.equal(scripts.start, 'node bin/eventyard.js start');
  const s = await session(t);
  s.background('npm start');
  await untilHealthy(s.port);
  const outputs: string[] = [];
  for (const command of commands(block('quickstart-client'))) outputs.push(await s.shell(command));
  const [posted, published, tailed, topics, health, metrics] = outputs;
  assert.match(posted!, /"offsets":\[1\]/);
  assert.match(published!, /"offset":2/);
  assert.match(tailed!, /order\.placed .*customer-7 .*"orderId":42/);
  assert.match(tailed!, /"orderId":43/);
  assert.match(topics!, /orders\s+8\s+1\s+3\s+2/);
  assert.equal(JSON.parse(health!).status, 'ok');
  assert.match(metrics!, /eventyard_events_published_total\{topic="orders"\} 1/);
});

test('the example app in the README is examples/greetings/app.ts, and it works as described', async (t) => {
  assert.equal(
    block('example examples/greetings/app.ts'),
    readFileSync(resolve(ROOT, 'examples/greetings/app.ts'), 'utf8'),
    'README and examples/greetings/app.ts differ',
  );
  const s = await session(t);
  const [server, ...rest] = commands(block('example-client'));
  assert.match(server!, /&$/);
  s.background(server!);
  await untilHealthy(s.port);
  const [ada, nameless, list, tail, dlq] = rest;
  assert.match(await s.shell(ada!), /"id":/);
  assert.match(await s.shell(nameless!), /"id":/);
  await waitFor('the greeting', async () => (await s.shell(list!)).includes('Hello, Ada!'));
  assert.match(await s.shell(tail!), /"type":"greeting.made".*"text":"Hello, Ada!"/);
  const letters = await waitFor('the dead letter', async () => {
    const out = await s.shell(dlq!);
    return out.includes('a greeting needs a name') ? out : undefined;
  });
  assert.match(letters, /greetings\.greeter\s+1 /);
});

test('the configuration table lists every variable with its default', () => {
  const documented = tableRows('config-table').map((cells) => [cells[0], cells[1]]);
  const actual = describeConfig().map((entry) => [
    entry.name,
    entry.default === '' ? '(empty)' : String(entry.default),
  ]);
  assert.deepEqual(documented, actual);
});

test('the media pipeline as the README shows it: curl, the SDK example, a form upload', async (t) => {
  const s = await session(t);
  s.background('npm start');
  await untilHealthy(s.port);
  const [upload, read, sdk, form] = commands(block('media-client'));
  const stored = JSON.parse(await s.shell(upload!)) as { key: string; size: number };
  assert.equal(stored.key, 'sample.jpg');
  const record = await waitFor('the sample thumbnailed', async () => {
    const [first] = (JSON.parse(await s.shell(read!)) as { items: Array<{ status: string }> })
      .items;
    return first?.status === 'thumbnailed' ? first : undefined;
  });
  assert.match(JSON.stringify(record), /"thumbnailUrl":"http/);
  const viaSdk = await s.shell(sdk!);
  assert.match(viaSdk, /uploaded s3:\/\/images\/examples\//);
  assert.match(viaSdk, /"status": "thumbnailed"/);
  assert.match(await s.shell(form!), /"key":"sample.jpg"/);
});

test('the jobs example as the README shows it: a token, a job from curl, its status, the job and its result', async (t) => {
  const s = await session(t);
  s.background('npm start');
  await untilHealthy(s.port);
  // One shell for the whole block: it passes TOKEN and JOB from line to line.
  const output = await s.shell(block('jobs-client'));
  const job = JSON.parse(output) as { status: string; tenantId: string; resultLocation: string };
  assert.equal(job.status, 'SUCCESS');
  assert.equal(job.tenantId, '1');
  const result = readFileSync('/tmp/result.webp');
  assert.equal(result.subarray(8, 12).toString(), 'WEBP');
});

test('the catalog example as the README shows it: a command, then the entry in the query API', async (t) => {
  const s = await session(t);
  s.background('npm start');
  await untilHealthy(s.port);
  const [create, list] = commands(block('catalog-client'));
  const accepted = JSON.parse(await s.shell(create!)) as { status: string; location: string };
  assert.equal(accepted.status, 'pending');
  const outcome = (await (
    await fetch(`http://127.0.0.1:${s.port}${accepted.location}?wait=visible`)
  ).json()) as { status: string; visible: boolean };
  assert.deepEqual([outcome.status, outcome.visible], ['accepted', true]);
  const page = JSON.parse(await s.shell(list!)) as { items: Array<{ title: string }> };
  assert.deepEqual(
    page.items.map((item) => item.title),
    ['My Entry'],
  );
});

test('the jobs and JWT configuration tables list every variable with its default', () => {
  const shown = (value: unknown) => (value === undefined ? '(empty)' : String(value));
  assert.deepEqual(
    tableRows('jobs-config-table').map((cells) => [cells[0], cells[1]]),
    describeJobsConfig().map((entry) => [entry.name, shown(entry.default)]),
  );
  assert.deepEqual(
    tableRows('jwt-config-table').map((cells) => [cells[0], cells[1]]),
    describeJwtConfig().map((entry) => [entry.name, shown(entry.default)]),
  );
});

test('the media configuration table lists every variable with its default', () => {
  const documented = tableRows('media-config-table').map((cells) => [cells[0], cells[1]]);
  const actual = describeMediaConfig().map((entry) => [entry.name, String(entry.default)]);
  assert.deepEqual(documented, actual);
});

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { uniqueName } from '../support/names.ts';
import { tempDir } from '../support/temp-dir.ts';
import { exitOf, jsonLines, lineReader, runCli, spawnCli } from './cli-process.ts';

test('start serves /health with JSON logs on stdout, shares the data dir with the CLI, and drains on SIGTERM', async (t) => {
  const dir = tempDir('eventyard-cli-');
  t.after(dir.remove);
  const env = { EVENTYARD_DATA_DIR: dir.path, EVENTYARD_PORT: '0', EVENTYARD_S3_PORT: '0' };
  const server = spawnCli(['start'], { env });
  t.after(() => server.kill('SIGKILL'));
  let stderr = '';
  server.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const logs = lineReader(server);
  // With port 0 only the log knows the address.
  let url: string | undefined;
  while (url === undefined) {
    const log = JSON.parse(await logs.next(20_000)) as { level: string; url?: string };
    assert.equal(typeof log.level, 'string');
    url = log.url;
  }
  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');

  // The one-shot commands open the same SQLite file while the server has it open.
  const topic = uniqueName('shared');
  const published = await runCli(['publish', topic, '{"n":1}'], { env });
  assert.equal(published.code, 0, published.stderr);
  const topics = await runCli(['topics', '--json'], { env });
  assert.ok(jsonLines<{ topic: string }>(topics.stdout).some((row) => row.topic === topic));

  server.kill('SIGTERM');
  assert.equal(await exitOf(server), 0, stderr);
  assert.equal(stderr, '');
});

test('start on a port in use, and run with an unknown service, are refused with exit 2', async (t) => {
  const dir = tempDir('eventyard-cli-');
  t.after(dir.remove);
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const [busy, unknown] = await Promise.all([
    runCli(['start'], {
      env: { EVENTYARD_DATA_DIR: dir.path, EVENTYARD_PORT: String(port), EVENTYARD_S3_PORT: '0' },
    }),
    runCli(['run', 'no-such-service'], { env: { EVENTYARD_DATA_DIR: dir.path } }),
  ]);
  assert.equal(busy.code, 2, busy.stderr);
  assert.match(
    busy.stderr,
    new RegExp(`^eventyard: EY_CONFIG: EVENTYARD_PORT=${port}: cannot listen .*in use`),
  );
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /^eventyard: EY_CONFIG: unknown service 'no-such-service'; known: /);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/runtime/config.ts';
import { openEngines } from '../../src/runtime/engines.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runCli } from './cli-process.ts';

test('buckets: create, notify with filters, list rules, a put then notifies, unnotify removes', async (t) => {
  const dir = tempDir();
  t.after(dir.remove);
  const env = { EVENTYARD_DATA_DIR: dir.path };
  assert.equal((await runCli(['buckets', 'create', 'uploads'], { env })).code, 0);
  const notify = await runCli(
    [
      'buckets',
      'notify',
      'uploads',
      '--topic',
      'uploads-event',
      '--suffix',
      '.jpg',
      '--prefix',
      'in/',
    ],
    { env },
  );
  assert.equal(notify.code, 0, notify.stderr);
  assert.deepEqual(JSON.parse(notify.stdout), {
    bucket: 'uploads',
    id: 'uploads-event',
    topic: 'uploads-event',
    events: ['s3:ObjectCreated:*'],
    prefix: 'in/',
    suffix: '.jpg',
  });
  const rules = await runCli(['buckets', 'rules', 'uploads'], { env });
  assert.match(
    rules.stdout,
    /uploads\s+uploads-event\s+uploads-event\s+s3:ObjectCreated:\*\s+in\/\s+\.jpg/,
  );
  const listed = await runCli(['buckets', '--json'], { env });
  assert.equal(JSON.parse(listed.stdout.trim()).name, 'uploads');

  const engines = await openEngines(loadConfig({ EVENTYARD_DATA_DIR: dir.path }));
  try {
    await engines.objects.put({ bucket: 'uploads', key: 'in/a.jpg', body: Buffer.from('x') });
    await engines.objects.put({ bucket: 'uploads', key: 'in/a.png', body: Buffer.from('x') });
    await engines.objects.put({ bucket: 'uploads', key: 'out/b.jpg', body: Buffer.from('x') });
    const keys = [];
    for await (const stored of engines.broker.read('uploads-event', { from: 'earliest' })) {
      keys.push((stored.event.data as { Key: string }).Key);
    }
    assert.deepEqual(keys, ['uploads/in/a.jpg']);
  } finally {
    await engines.close();
  }

  assert.equal(
    (await runCli(['buckets', 'unnotify', 'uploads', '--id', 'uploads-event'], { env })).code,
    0,
  );
  const none = await runCli(['buckets', 'rules', 'uploads'], { env });
  assert.match(none.stderr, /No rules on uploads/);
  const missing = await runCli(['buckets', 'unnotify', 'uploads', '--id', 'nope'], { env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^eventyard: EY_VALIDATION: bucket uploads has no rule 'nope'/);
  const badTopic = await runCli(['buckets', 'notify', 'uploads', '--topic', 'bad topic'], { env });
  assert.equal(badTopic.code, 2);
  assert.match(badTopic.stderr, /invalid topic name/);
});

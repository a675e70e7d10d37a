import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupStats } from '../../src/core/broker.ts';
import { createEvent, type Envelope } from '../../src/core/envelope.ts';
import { PermanentError } from '../../src/core/errors.ts';
import type { TopicInfo } from '../../src/core/transport.ts';
import { uniqueName } from '../support/names.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait.ts';
import { jsonLines, openTestEngines, runCli } from './cli-process.ts';

function dataDir(t: { after(fn: () => void): void }): Record<string, string> {
  const dir = tempDir('eventyard-cli-');
  t.after(dir.remove);
  return { EVENTYARD_DATA_DIR: dir.path };
}

async function groupOf(env: Record<string, string>, topic: string, group: string) {
  const result = await runCli(['groups', topic, '--json'], { env });
  assert.equal(result.code, 0, result.stderr);
  return jsonLines<GroupStats>(result.stdout).find((g) => g.group === group);
}

test('topics and groups show offsets and lag; replay moves an inactive group and refuses an active one', async (t) => {
  const env = dataDir(t);
  const topic = uniqueName('orders');
  const group = uniqueName('billing');
  const first = await runCli(['publish', topic, '-'], { env, input: '1\n2\n3\n' });
  assert.equal(first.code, 0, first.stderr);

  // A group that handled the first three events, then stopped.
  const engines = await openTestEngines(env.EVENTYARD_DATA_DIR!);
  t.after(() => engines.close());
  let handled = 0;
  const subscription = await engines.broker.subscribe({
    topic,
    group,
    handler: () => {
      handled++;
    },
  });
  await waitFor('three events handled', () => handled === 3);
  await subscription.close();

  const more = await runCli(['publish', topic, '-'], { env, input: '4\n5\n' });
  assert.equal(more.code, 0, more.stderr);

  const topics = await runCli(['topics', '--json'], { env });
  assert.equal(topics.code, 0, topics.stderr);
  const info = jsonLines<TopicInfo>(topics.stdout).find((row) => row.topic === topic);
  assert.equal(info?.published, 5);
  assert.equal(info?.head, 6);
  const table = await runCli(['topics'], { env });
  assert.match(table.stdout, /^TOPIC\s+PARTITIONS\s+FIRST\s+HEAD\s+PUBLISHED\s+RATE\/S\n/);
  assert.match(table.stdout, new RegExp(`\\n${topic}\\s+8\\s+1\\s+6\\s+5\\s+\\d+\\.\\d\\n`));

  const stopped = await groupOf(env, topic, group);
  assert.deepEqual(
    { position: stopped?.position, lag: stopped?.lag, active: stopped?.active },
    { position: 4, lag: 2, active: false },
  );
  const groupsTable = await runCli(['groups'], { env });
  assert.match(
    groupsTable.stdout,
    new RegExp(`\\n${topic}\\s+${group}\\s+4\\s+2\\s+\\S+\\s+0\\s+no\\n`),
  );

  const replayed = await runCli(['replay', topic, group, '--from', 'earliest'], { env });
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.match(replayed.stdout, /moved to earliest: position 1, lag 5/);
  assert.equal((await groupOf(env, topic, group))?.lag, 5);

  const unknown = await runCli(['replay', topic, 'nobody', '--from', 'earliest'], { env });
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^eventyard: EY_NOT_FOUND: group nobody on .* does not exist/);

  // While some process consumes the group, it is not moved.
  const active = await engines.broker.subscribe({ topic, group, handler: () => {} });
  t.after(() => active.close());
  await waitFor(
    'group active',
    async () => (await groupOf(env, topic, group))?.active,
    15_000,
    200,
  );
  const refused = await runCli(['replay', topic, group, '--from', 'earliest'], { env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^eventyard: EY_CONFLICT: group .* consuming in another process/);
  assert.equal(refused.stderr.trim().split('\n').length, 1);
});

test('dlq list shows dead letters with their reason; dlq replay publishes the chosen ones again', async (t) => {
  const env = dataDir(t);
  const topic = uniqueName('payments');
  const group = uniqueName('charger');
  const engines = await openTestEngines(env.EVENTYARD_DATA_DIR!);
  t.after(() => engines.close());
  const events = ['a', 'b'].map((name) => createEvent({ type: 'payment.due', data: { name } }));
  await engines.broker.publish(topic, events);
  const subscription = await engines.broker.subscribe<{ name: string }>({
    topic,
    group,
    handler: (event) => {
      throw new PermanentError(`card of ${event.data.name} declined`);
    },
  });
  await waitFor(
    'two dead letters',
    async () => (await engines.broker.deadLetters.list(topic)).length === 2,
  );
  await subscription.close();

  const listed = await runCli(['dlq', 'list', topic, '--json'], { env });
  assert.equal(listed.code, 0, listed.stderr);
  const letters = jsonLines<{ group: string; reason: string; event: Envelope }>(listed.stdout);
  assert.deepEqual(
    letters.map((l) => [l.group, l.event.id, l.reason]),
    [
      [group, events[0]!.id, 'EY_PERMANENT: card of a declined'],
      [group, events[1]!.id, 'EY_PERMANENT: card of b declined'],
    ],
  );
  const table = await runCli(['dlq', 'list', topic, '--group', group, '--limit', '1'], { env });
  assert.equal(table.code, 0, table.stderr);
  assert.equal(table.stdout.trim().split('\n').length, 2);
  assert.match(
    table.stdout,
    new RegExp(`${events[0]!.id}\\s+payment\\.due\\s+EY_PERMANENT: card of a declined`),
  );
  assert.equal((await groupOf(env, topic, group))?.deadLettered, 2);

  const missing = await runCli(['dlq', 'replay', topic, '--id', 'no-such-id'], { env });
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^eventyard: EY_NOT_FOUND: no dead letter .* no-such-id; nothing was replayed/,
  );

  const replay = await runCli(['dlq', 'replay', topic, '--id', events[1]!.id], { env });
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, new RegExp(events[1]!.id));
  assert.doesNotMatch(replay.stdout, new RegExp(events[0]!.id));
  assert.match(replay.stdout, /replayed 1 dead letter to /);

  const tailed = await runCli(['tail', topic, '--from', 'earliest', '--no-follow'], { env });
  const ids = jsonLines<{ event: Envelope }>(tailed.stdout).map((line) => line.event);
  assert.deepEqual(
    ids.map((e) => e.id),
    [events[0]!.id, events[1]!.id, events[1]!.id],
  );
  assert.equal(ids[2]!.replaygroup, group);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEvent } from '../../src/core/envelope.ts';
import { uniqueName } from '../support/names.ts';
import { tempDir } from '../support/temp-dir.ts';
import { exitOf, jsonLines, lineReader, openTestEngines, runCli, spawnCli } from './cli-process.ts';

interface Published {
  topic: string;
  offset: number | null;
  id: string;
  deliverAt?: string;
}
interface Tailed {
  offset: number;
  event: Record<string, unknown> & { id: string; type: string; data: unknown };
}

function dataDir(t: { after(fn: () => void): void }): Record<string, string> {
  const dir = tempDir('eventyard-cli-');
  t.after(dir.remove);
  return { EVENTYARD_DATA_DIR: dir.path };
}

test('publish, then tail --from earliest --no-follow shows the event', async (t) => {
  const env = dataDir(t);
  const topic = uniqueName('orders');
  const published = await runCli(
    [
      'publish',
      topic,
      '{"id":42,"total":9.5}',
      '--type',
      'shop.order.placed',
      '--source',
      'shop-test',
      '--subject',
      'order-42',
      '--key',
      'customer-7',
    ],
    { env },
  );
  assert.equal(published.code, 0, published.stderr);
  const [receipt] = jsonLines<Published>(published.stdout);
  assert.equal(receipt!.topic, topic);
  assert.equal(typeof receipt!.offset, 'number');

  const tailed = await runCli(['tail', topic, '--from', 'earliest', '--no-follow'], { env });
  assert.equal(tailed.code, 0, tailed.stderr);
  const lines = jsonLines<Tailed>(tailed.stdout);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.offset, receipt!.offset);
  assert.equal(lines[0]!.event.id, receipt!.id);
  assert.equal(lines[0]!.event.type, 'shop.order.placed');
  assert.equal(lines[0]!.event.source, 'shop-test');
  assert.equal(lines[0]!.event.subject, 'order-42');
  assert.equal(lines[0]!.event.partitionkey, 'customer-7');
  assert.deepEqual(lines[0]!.event.data, { id: 42, total: 9.5 });

  const pretty = await runCli(['tail', topic, '--from', 'earliest', '--no-follow', '--pretty'], {
    env,
  });
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.match(
    pretty.stdout,
    new RegExp(
      `^${receipt!.offset}  \\S+Z  shop\\.order\\.placed  ${receipt!.id}  key=customer-7  \\{"id":42,"total":9\\.5\\}\\n$`,
    ),
  );
});

test('publish - takes JSON lines on stdin, one event per line; --envelope publishes an envelope as is', async (t) => {
  const env = dataDir(t);
  const topic = uniqueName('imports');
  const lines = await runCli(['publish', topic, '-', '--type', 'shop.imported'], {
    env,
    input: '{"n":1}\n\n{"n":2}\n"three"\n',
  });
  assert.equal(lines.code, 0, lines.stderr);
  assert.equal(jsonLines(lines.stdout).length, 3);

  const envelope = createEvent({
    type: 'shop.envelope',
    source: 'elsewhere',
    data: { n: 4 },
    id: 'env-4',
  });
  const whole = await runCli(['publish', topic, '--envelope', JSON.stringify(envelope)], { env });
  assert.equal(whole.code, 0, whole.stderr);

  const badEnvelope = await runCli(['publish', topic, '--envelope', '{"id":"x"}'], { env });
  assert.equal(badEnvelope.code, 2);
  assert.match(badEnvelope.stderr, /^eventyard: EY_VALIDATION: invalid event: specversion/);

  const badLine = await runCli(['publish', topic, '-'], { env, input: '{"n":5}\n{nope\n' });
  assert.equal(badLine.code, 2);
  assert.match(badLine.stderr, /^eventyard: EY_VALIDATION: stdin line 2 is not valid JSON/);

  const tailed = jsonLines<Tailed>(
    (await runCli(['tail', topic, '--from', 'earliest', '--no-follow'], { env })).stdout,
  );
  // The refused inputs published nothing, not even their valid lines.
  assert.deepEqual(
    tailed.map((line) => [line.event.type, line.event.data]),
    [
      ['shop.imported', { n: 1 }],
      ['shop.imported', { n: 2 }],
      ['shop.imported', 'three'],
      ['shop.envelope', { n: 4 }],
    ],
  );
  assert.equal(tailed[3]!.event.id, 'env-4');
  assert.equal(tailed[3]!.event.source, 'elsewhere');
});

test('tail follows from the latest event and picks up one published afterwards', async (t) => {
  const env = dataDir(t);
  const topic = uniqueName('live');
  const before = await runCli(['publish', topic, '"before"'], { env });
  assert.equal(before.code, 0, before.stderr);

  const tail = spawnCli(['tail', topic], { env });
  t.after(() => tail.kill('SIGKILL'));
  const reader = lineReader(tail);
  const engines = await openTestEngines(env.EVENTYARD_DATA_DIR!);
  t.after(() => engines.close());
  // The tail starts at the head once it is up; publish until it shows one,
  // so the test does not guess how long starting takes.
  const ids = new Set<string>();
  let first: string | undefined;
  while (first === undefined) {
    const event = createEvent({ type: 'live.test', data: 'after' });
    await engines.broker.publish(topic, event);
    ids.add(event.id);
    first = await reader.next(1_000).catch(() => undefined);
  }
  const line = JSON.parse(first) as Tailed;
  assert.equal(line.event.data, 'after');
  assert.ok(ids.has(line.event.id));

  tail.kill('SIGINT');
  assert.equal(await exitOf(tail), 0);
});

test('publish --delay: the event appears only once the delay has passed', async (t) => {
  const env = dataDir(t);
  const topic = uniqueName('later');
  const delayMs = 2_000;
  const start = Date.now();
  const published = await runCli(['publish', topic, '"later"', '--delay', String(delayMs)], {
    env,
  });
  assert.equal(published.code, 0, published.stderr);
  const [receipt] = jsonLines<Published>(published.stdout);
  assert.equal(receipt!.offset, null);
  assert.ok(Date.parse(receipt!.deliverAt!) >= start + delayMs);

  const early = await runCli(['tail', topic, '--from', 'earliest', '--no-follow'], { env });
  assert.equal(early.code, 0, early.stderr);
  if (Date.now() < start + delayMs) assert.equal(early.stdout, '');

  const waited = await runCli(['tail', topic, '--from', 'earliest', '--limit', '1'], { env });
  assert.equal(waited.code, 0, waited.stderr);
  assert.ok(Date.now() >= start + delayMs);
  const [line] = jsonLines<Tailed>(waited.stdout);
  assert.equal(line!.event.id, receipt!.id);
  assert.equal(line!.event.data, 'later');
});

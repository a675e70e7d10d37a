/**
 * kill -9 while puts flow: every acknowledged object survives whole, every
 * stored object has its notification (and only one per version), and what
 * the kills left half-written is garbage-collected.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { MinioNotification } from '../../../src/core/bucket-notification.ts';
import type { Envelope } from '../../../src/core/envelope.ts';
import type { ObjectInfo } from '../../../src/core/object-store.ts';
import { linesOf, randomBetween } from '../../conformance/crash-process.ts';
import { uniqueName } from '../../support/names.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { delay } from '../../support/wait.ts';
import { type FsEngine, notificationsOn, openFsEngine } from './fixtures/fs-engine.ts';

const ROUNDS = Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 20);
const CHILD = fileURLToPath(new URL('./fixtures/put-child.ts', import.meta.url));

/** Runs the putting child until it printed ready, lets it work a random while, kills it. */
async function putAndKill(dir: string, bucket: string, outFile: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, bucket, outFile], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`child exited before ready (${code ?? signal}): ${stderr}`)),
    );
  });
  await delay(randomBetween(20, 400));
  child.kill('SIGKILL');
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', `the child died by itself: ${stderr}`);
}

async function allObjects(e: FsEngine, bucket: string): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  let after: string | undefined;
  do {
    const page = await e.store.list(bucket, { after });
    out.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return out;
}

async function md5Of(e: FsEngine, bucket: string, key: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of (await e.store.get(bucket, key)).body) hash.update(chunk);
  return hash.digest('hex');
}

/** Every stored object reads back as its ETag says, and has its notifications, and only those. */
async function assertWholeAndNotified(
  e: FsEngine,
  bucket: string,
  objects: readonly ObjectInfo[],
  events: readonly Envelope<MinioNotification>[],
): Promise<void> {
  const byKey = new Map<string, string[]>();
  for (const event of events) {
    const record = event.data.Records[0];
    byKey.set(event.subject!, [...(byKey.get(event.subject!) ?? []), record.s3.object.eTag!]);
  }
  for (const object of objects) {
    assert.equal(await md5Of(e, bucket, object.key), object.etag, `${object.key} is not whole`);
    const etags = byKey.get(object.key) ?? [];
    if (object.key.startsWith('u/')) {
      assert.deepEqual(etags, [object.etag], `${object.key}: exactly one notification`);
    } else {
      assert.equal(
        etags.at(-1),
        object.etag,
        `${object.key}: its last notification is this version`,
      );
    }
  }
  assert.deepEqual(
    [...byKey.keys()].filter((key) => !objects.some((o) => o.key === key)),
    [],
    'no notification for an object that was not stored',
  );
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test(`objects and their notifications survive kill -9 during puts (${ROUNDS} rounds)`, {
  timeout: 300_000,
}, async (t) => {
  const dir = tempDir('eventyard-fs-crash-');
  t.after(() => dir.remove());
  const bucket = uniqueName('images');
  const topic = uniqueName('images-bucket-event');
  const setup = openFsEngine(dir.path);
  await setup.store.createBucket(bucket);
  await setup.store.setNotificationRules(bucket, [{ topic, events: ['s3:ObjectCreated:*'] }]);
  await setup.close();

  const outFile = join(dir.path, 'acknowledged.log');
  for (let round = 0; round < ROUNDS; round++) await putAndKill(dir.path, bucket, outFile);

  const e = openFsEngine(dir.path);
  t.after(() => e.close());
  // A record the kill cut short is not a whole `<key> <md5>` line: left out.
  const acknowledged = linesOf(outFile)
    .filter((line) => /^\S+ [0-9a-f]{32}$/.test(line))
    .map((line) => line.split(' ') as [string, string]);
  assert.ok(
    acknowledged.length > ROUNDS,
    `the children stored almost nothing (${acknowledged.length})`,
  );

  // Every acknowledged put of a key written once is there, whole.
  for (const [key, etag] of acknowledged.filter(([key]) => key.startsWith('u/'))) {
    assert.equal((await e.store.head(bucket, key)).etag, etag, `${key} lost or changed`);
  }
  const objects = await allObjects(e, bucket);
  const events = await notificationsOn(e.log, topic);
  await assertWholeAndNotified(e, bucket, objects, events);

  const leftovers = filesUnder(e.root).length - objects.length;
  const report = await e.store.collectGarbage({ graceMs: 0 });
  t.diagnostic(
    `${acknowledged.length} puts acknowledged, ${objects.length} objects, ${events.length} notifications; ` +
      `GC removed ${report.orphanBlobs} orphan blobs and ${report.tempFiles} temp files`,
  );
  assert.equal(report.orphanBlobs + report.tempFiles, leftovers, 'GC removed every leftover file');
  assert.deepEqual(
    filesUnder(e.root).filter((path) => !path.startsWith(join(e.root, bucket))),
    [],
    'nothing remains outside the blob folders',
  );
  assert.equal(filesUnder(join(e.root, bucket)).length, objects.length, 'one blob per object');
});

/**
 * Bucket notifications of the embedded object store: MinIO's format, on
 * the log, in the transaction that records the object.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { NotificationRule } from '../../../src/core/bucket-notification.ts';
import { NotFoundError, UnsupportedError, ValidationError } from '../../../src/core/errors.ts';
import { uniqueName } from '../../support/names.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { type FsEngine, notificationsOn, openFsEngine } from './fixtures/fs-engine.ts';

function engine(t: { after: (fn: () => Promise<void> | void) => void }, options = {}): FsEngine {
  const dir = tempDir('eventyard-fs-notify-');
  const opened = openFsEngine(dir.path, options);
  t.after(async () => {
    await opened.close();
    dir.remove();
  });
  return opened;
}

async function bucketWithRules(e: FsEngine, rules: NotificationRule[]): Promise<string> {
  const bucket = uniqueName('images');
  await e.store.createBucket(bucket);
  await e.store.setNotificationRules(bucket, rules);
  return bucket;
}

test('a put appends exactly one MinIO-format notification to the topic, readable once put resolves', async (t) => {
  const e = engine(t);
  const topic = uniqueName('images-bucket-event');
  const bucket = await bucketWithRules(e, [{ topic, events: ['s3:ObjectCreated:*'] }]);
  const key = 'photos/my cat+dog 100%.jpg';
  const time = new Date('2024-05-06T07:08:09.010Z');
  const info = await e.store.put({
    bucket,
    key,
    body: Buffer.from('jpeg!'),
    contentType: 'image/jpeg',
    userMetadata: { 'camera-model': 'X100' },
    context: {
      principal: 'AKIAEXAMPLE',
      sourceIp: '10.1.2.3',
      sourcePort: '5555',
      userAgent: 'aws-sdk-js/3',
      requestId: 'req-1',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      time,
    },
  });
  const events = await notificationsOn(e.log, topic);
  assert.equal(events.length, 1);
  const event = events[0]!;
  assert.equal(event.type, 'com.amazonaws.s3.ObjectCreated:Put');
  assert.equal(event.source, `arn:aws:s3:::${bucket}`);
  assert.equal(event.subject, key);
  const data = event.data;
  assert.equal(data.EventName, 's3:ObjectCreated:Put');
  assert.equal(data.Key, `${bucket}/${key}`);
  assert.equal(data.Records.length, 1);
  const record = data.Records[0];
  assert.equal(record.eventVersion, '2.0');
  assert.equal(record.eventSource, 'minio:s3');
  assert.equal(record.eventName, 's3:ObjectCreated:Put');
  assert.equal(record.eventTime, time.toISOString());
  assert.equal(record.awsRegion, 'us-east-1');
  assert.equal(record.userIdentity.principalId, 'AKIAEXAMPLE');
  assert.equal(record.requestParameters.sourceIPAddress, '10.1.2.3');
  assert.equal(record.responseElements['x-amz-request-id'], 'req-1');
  assert.equal(record.s3.configurationId, 'Config');
  assert.equal(record.s3.bucket.name, bucket);
  assert.equal(record.s3.bucket.arn, `arn:aws:s3:::${bucket}`);
  // Go's url.QueryEscape, as MinIO writes keys: '/' -> %2F, ' ' -> '+', '+' -> %2B, '%' -> %25.
  assert.equal(record.s3.object.key, 'photos%2Fmy+cat%2Bdog+100%25.jpg');
  assert.equal(decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')), key);
  assert.equal(record.s3.object.size, 5);
  assert.equal(record.s3.object.eTag, info.etag);
  assert.equal(record.s3.object.contentType, 'image/jpeg');
  assert.deepEqual(record.s3.object.userMetadata, {
    'content-type': 'image/jpeg',
    'X-Amz-Meta-Camera-Model': 'X100',
  });
  assert.match(record.s3.object.sequencer, /^[0-9A-F]+$/);
  assert.deepEqual(record.source, { host: '10.1.2.3', port: '5555', userAgent: 'aws-sdk-js/3' });
});

test('a put that cannot append its notification stores nothing (one transaction)', async (t) => {
  // The log refuses events over 2 KiB; this object's notification is larger.
  const e = engine(t, { log: { maxEventBytes: 2048 } });
  const topic = uniqueName('too-big');
  const bucket = await bucketWithRules(e, [{ topic, events: ['s3:ObjectCreated:Put'] }]);
  const userMetadata = { big: 'v'.repeat(1900) };
  await assert.rejects(
    e.store.put({ bucket, key: 'k', body: Buffer.from('x'), userMetadata }),
    ValidationError,
  );
  await assert.rejects(e.store.head(bucket, 'k'), NotFoundError);
  assert.deepEqual(await notificationsOn(e.log, topic), []);
  const blobFolder = join(e.root, bucket);
  const files = readdirSync(blobFolder, { recursive: true, withFileTypes: true }).filter((f) =>
    f.isFile(),
  );
  assert.deepEqual(files, [], 'the blob written before the transaction is removed');
  // The next put to the same topic goes through.
  await e.store.put({ bucket, key: 'small', body: Buffer.from('y') });
  assert.equal((await notificationsOn(e.log, topic)).length, 1);
});

test('rules filter by event, prefix and suffix; each matching rule gets one event', async (t) => {
  const e = engine(t);
  const jpegs = uniqueName('jpegs');
  const everything = uniqueName('everything');
  const removals = uniqueName('removals');
  const bucket = await bucketWithRules(e, [
    {
      topic: jpegs,
      events: ['s3:ObjectCreated:Put'],
      prefix: 'images/',
      suffix: '.jpg',
      id: 'jpg',
    },
    { topic: everything, events: ['s3:*'] },
    { topic: removals, events: ['s3:ObjectRemoved:*'], prefix: 'images/' },
  ]);
  for (const key of ['images/a.jpg', 'images/b.png', 'docs/c.jpg', 'images/sub/d.jpg']) {
    await e.store.put({ bucket, key, body: Buffer.from(key) });
  }
  await e.store.delete(bucket, 'images/a.jpg');
  await e.store.delete(bucket, 'docs/c.jpg');
  const keysOn = async (topic: string) =>
    (await notificationsOn(e.log, topic)).map((ev) => `${ev.data.EventName} ${ev.subject}`);
  assert.deepEqual(await keysOn(jpegs), [
    's3:ObjectCreated:Put images/a.jpg',
    's3:ObjectCreated:Put images/sub/d.jpg',
  ]);
  assert.deepEqual(await keysOn(everything), [
    's3:ObjectCreated:Put images/a.jpg',
    's3:ObjectCreated:Put images/b.png',
    's3:ObjectCreated:Put docs/c.jpg',
    's3:ObjectCreated:Put images/sub/d.jpg',
    's3:ObjectRemoved:Delete images/a.jpg',
    's3:ObjectRemoved:Delete docs/c.jpg',
  ]);
  assert.deepEqual(await keysOn(removals), ['s3:ObjectRemoved:Delete images/a.jpg']);
  const [first] = await notificationsOn(e.log, jpegs);
  assert.equal(first!.data.Records[0].s3.configurationId, 'jpg');
});

test('a delete notification names the removed object; deleting nothing notifies nothing', async (t) => {
  const e = engine(t);
  const topic = uniqueName('deletes');
  const bucket = await bucketWithRules(e, [{ topic, events: ['s3:ObjectRemoved:Delete'] }]);
  await e.store.put({ bucket, key: 'a b/c', body: Buffer.from('abc') });
  await e.store.delete(bucket, 'a b/c', { principal: 'someone' });
  await e.store.delete(bucket, 'a b/c');
  await e.store.delete(bucket, 'never-there');
  const events = await notificationsOn(e.log, topic);
  assert.equal(events.length, 1);
  const data = events[0]!.data;
  assert.equal(data.EventName, 's3:ObjectRemoved:Delete');
  assert.equal(events[0]!.type, 'com.amazonaws.s3.ObjectRemoved:Delete');
  assert.equal(data.Key, `${bucket}/a b/c`);
  const record = data.Records[0];
  assert.equal(record.eventName, 's3:ObjectRemoved:Delete');
  assert.equal(record.s3.object.key, 'a+b%2Fc');
  assert.equal(record.s3.object.size, undefined);
  assert.equal(record.userIdentity.principalId, 'someone');
});

test('notification rules are stored per bucket, validated, replaced, and dropped with the bucket', async (t) => {
  const e = engine(t);
  const bucket = uniqueName('rules');
  await e.store.createBucket(bucket);
  assert.deepEqual(await e.store.notificationRules(bucket), []);
  const rules: NotificationRule[] = [
    { topic: 'images-bucket-event', events: ['s3:ObjectCreated:Put'], suffix: '.jpg' },
    { topic: 'audit.all', events: ['s3:*'], id: 'audit' },
  ];
  await e.store.setNotificationRules(bucket, rules);
  assert.deepEqual(await e.store.notificationRules(bucket), rules);
  await e.store.setNotificationRules(bucket, [rules[1]!]);
  assert.deepEqual(await e.store.notificationRules(bucket), [rules[1]]);

  const refused = [
    [{ topic: 'bad topic', events: ['s3:*'] }],
    [{ topic: 'fine', events: [] }],
    [{ topic: 'fine', events: ['s3:ObjectCreated:Nope'] }],
    [{ topic: 'fine', events: ['s3:*'], prefix: 7 }],
    'not an array',
  ];
  for (const bad of refused) {
    await assert.rejects(
      e.store.setNotificationRules(bucket, bad as never),
      ValidationError,
      JSON.stringify(bad),
    );
  }
  assert.deepEqual(
    await e.store.notificationRules(bucket),
    [rules[1]],
    'refused rules change nothing',
  );
  await assert.rejects(e.store.notificationRules(uniqueName('nope')), NotFoundError);
  await assert.rejects(e.store.setNotificationRules(uniqueName('nope'), rules), NotFoundError);

  await e.store.setNotificationRules(bucket, []);
  assert.deepEqual(await e.store.notificationRules(bucket), []);
  await e.store.setNotificationRules(bucket, rules);
  await e.store.deleteBucket(bucket);
  await e.store.createBucket(bucket);
  assert.deepEqual(
    await e.store.notificationRules(bucket),
    [],
    'a new bucket starts without rules',
  );
});

test('a store without an outbox refuses rules it could not honour', async (t) => {
  const dir = tempDir('eventyard-fs-no-outbox-');
  const { FsObjectStore } = await import('../../../src/adapters/storage/fs/fs-object-store.ts');
  const { SqliteDatabase } = await import('../../../src/adapters/db/sqlite/sqlite-database.ts');
  const database = new SqliteDatabase({ path: join(dir.path, 'db.sqlite') });
  const store = new FsObjectStore({ root: join(dir.path, 'objects'), database });
  t.after(async () => {
    await store.close();
    await database.close();
    dir.remove();
  });
  await store.createBucket('plain');
  await assert.rejects(
    store.setNotificationRules('plain', [{ topic: 'x', events: ['s3:*'] }]),
    UnsupportedError,
  );
  await store.setNotificationRules('plain', []);
  assert.equal((await store.put({ bucket: 'plain', key: 'k', body: Buffer.from('x') })).size, 1);
});

test('a group commit that rolls back does not break later notifications to a new topic', async (t) => {
  const e = engine(t);
  const topic = uniqueName('fresh-topic');
  const bucket = await bucketWithRules(e, [{ topic, events: ['s3:ObjectCreated:*'] }]);
  // The put's transaction creates the topic in a group commit with another
  // write that fails: the batch rolls back, and the put's job is run again alone.
  const writes = e.database.writes;
  const write = writes.write.bind(writes);
  let failing: Promise<unknown> | undefined;
  writes.write = ((run) => {
    const job = write(run);
    failing ??= write(() => {
      throw new Error('another writer failed');
    });
    return job;
  }) as typeof writes.write;
  const put = e.store.put({ bucket, key: 'first', body: Buffer.from('1') });
  await put;
  await assert.rejects(failing!, /another writer failed/);
  writes.write = write;
  await e.store.put({ bucket, key: 'second', body: Buffer.from('2') });
  assert.deepEqual(
    (await notificationsOn(e.log, topic)).map((ev) => ev.subject),
    ['first', 'second'],
  );
});

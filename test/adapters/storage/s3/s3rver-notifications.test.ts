/**
 * test/support/s3rver.ts turns s3rver's object events into MinIO's
 * notification bodies: uploaded and deleted with the SDK, they adopt
 * (core/foreign-message.ts) into the events the embedded store emits for
 * the same put and delete.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SqliteDatabase } from '../../../../src/adapters/db/sqlite/sqlite-database.ts';
import { FsObjectStore } from '../../../../src/adapters/storage/fs/fs-object-store.ts';
import type { Envelope } from '../../../../src/core/envelope.ts';
import { adoptMessage } from '../../../../src/core/foreign-message.ts';
import { uniqueName } from '../../../support/names.ts';
import { type RunningS3rver, startS3rver } from '../../../support/s3rver.ts';
import { tempDir } from '../../../support/temp-dir.ts';

const KEY = 'albums/summer 2024/ä+b (1).jpg';
const BODY = Buffer.from('not really a jpeg');
const CONTENT_TYPE = 'image/jpeg';
const METADATA = { owner: 'ana', 'camera-model': 'X100' };

let s3rver: RunningS3rver;
let client: S3Client;
const bucket = uniqueName('notify');
const received: Array<{ topicKey: string; body: string }> = [];

before(async () => {
  s3rver = await startS3rver({
    buckets: [bucket],
    onNotification: (topicKey, body) => received.push({ topicKey, body }),
  });
  client = new S3Client({
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: s3rver.credentials,
  });
});

after(async () => {
  client.destroy();
  await s3rver.close();
});

/** What the embedded store emits for the same put and delete, under a rule for every event. */
async function embeddedEvents(): Promise<Envelope[]> {
  const dir = tempDir('eventyard-notify-');
  const emitted: Envelope[] = [];
  const database = new SqliteDatabase({ path: join(dir.path, 'eventyard.db') });
  const store = new FsObjectStore({
    root: join(dir.path, 'objects'),
    database,
    outbox: { appendWithin: (_db, _topic, events) => emitted.push(...events) },
  });
  try {
    await store.createBucket(bucket);
    await store.setNotificationRules(bucket, [{ topic: 'media', events: ['s3:*'] }]);
    await store.put({
      bucket,
      key: KEY,
      body: BODY,
      contentType: CONTENT_TYPE,
      userMetadata: METADATA,
    });
    await store.delete(bucket, KEY);
    return emitted;
  } finally {
    await store.close();
    await database.close();
    dir.remove();
  }
}

/** The JSON's structure: every path to a leaf, with the leaf's type. */
function shapeOf(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [`${path}: ${typeof value}`];
  return Object.entries(value).flatMap(([name, entry]) => shapeOf(entry, `${path}.${name}`));
}

test('a put and a delete arrive as MinIO notifications that adopt into the embedded store events', async () => {
  await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: KEY,
      Body: BODY,
      ContentType: CONTENT_TYPE,
      Metadata: METADATA,
    }),
  );
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
  // s3rver emits before it answers, so both are here once the calls return.
  assert.deepEqual(
    received.map((r) => r.topicKey),
    [`${bucket}/${KEY}`, `${bucket}/${KEY}`],
  );
  const adopted = received.map(({ body }) => adoptMessage(body, { topic: 'minio-events' }));
  const embedded = await embeddedEvents();
  assert.equal(embedded.length, 2);

  for (const [i, event] of adopted.entries()) {
    const expected = embedded[i]!;
    for (const field of ['type', 'source', 'subject', 'partitionkey', 'datacontenttype']) {
      assert.equal(event[field], expected[field], `event ${i}: ${field}`);
    }
    assert.deepEqual(shapeOf(event.data).sort(), shapeOf(expected.data).sort(), `event ${i}: data`);
  }

  const [put, removed] = adopted.map((e) => e.data) as Array<{
    EventName: string;
    Key: string;
    Records: Array<{ eventSource: string; eventName: string; s3: { object: unknown } }>;
  }>;
  const [embeddedPut, embeddedRemoved] = embedded.map((e) => e.data) as Array<typeof put>;
  assert.equal(put!.EventName, 's3:ObjectCreated:Put');
  assert.equal(put!.Records[0]!.eventSource, 'minio:s3');
  const { sequencer: _a, ...putObject } = put!.Records[0]!.s3.object as { sequencer: string };
  const { sequencer: _b, ...fsPutObject } = embeddedPut!.Records[0]!.s3.object as {
    sequencer: string;
  };
  // Key query-escaped, size, ETag, content type and metadata as MinIO (and the embedded store) send them.
  assert.deepEqual(putObject, fsPutObject);
  assert.equal(removed!.EventName, 's3:ObjectRemoved:Delete');
  assert.equal(removed!.Records[0]!.eventName, embeddedRemoved!.Records[0]!.eventName);
});

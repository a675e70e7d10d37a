/**
 * The media pipeline as a scale-out deployment runs it: `eventyard run`
 * processes for the API, the indexer and two thumbnailers sharing their
 * group, on a server broker, PostgreSQL and an S3 server (s3rver) whose
 * bucket notifications reach the broker the way MinIO's would. Every upload
 * must end with exactly one record and one thumbnail, also when a
 * thumbnailer is killed with kill -9 while it holds events.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type ImageRecord, thumbnailKeyOf } from '../../../../src/apps/media/image-record.ts';
import {
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from '../../../adapters/postgres/fixtures/postgres-scope.ts';
import { photoJpegs } from '../../../fixtures/media/images.ts';
import { startS3rver } from '../../../support/s3rver.ts';
import { consumedBy, type ServiceProcess, startService } from '../../../support/service-process.ts';
import { waitFor } from '../../../support/wait.ts';
import { allRecords, listAll } from '../media-listing.ts';
import { natsBroker, redisBroker, type ScaleOutBroker } from './brokers.ts';

const UPLOADS = 24;

interface Deployment {
  readonly s3: S3Client;
  readonly api: ServiceProcess;
  readonly thumbnailers: ServiceProcess[];
  readonly all: ServiceProcess[];
  /** Notifications handed to the broker so far (the MinIO target's sends). */
  readonly pending: () => Promise<void>;
}

async function deploy(
  t: { after(fn: () => Promise<void>): void },
  broker: ScaleOutBroker,
): Promise<Deployment> {
  const prefix = `eye2e${uniqueSchema().slice(-8)}`;
  const schema = uniqueSchema();
  const target = await broker.minioTarget(prefix);
  const sends = new Set<Promise<void>>();
  const failures: Error[] = [];
  const s3rver = await startS3rver({
    // MinIO notifies what a bucket's rule names: here, as the README's
    // `mc event add`, bucket images only (s3rver reports every bucket).
    onNotification: (key, body) => {
      if (!key.startsWith('images/')) return;
      const sent = target.send(body).catch((error: Error) => {
        failures.push(error);
      });
      sends.add(sent);
      void sent.finally(() => sends.delete(sent));
    },
  });
  const env = {
    EVENTYARD_BROKER: broker.url(prefix),
    EVENTYARD_STORE: `${POSTGRES_URL}?schema=${schema}`,
    EVENTYARD_OBJECTS: s3rver.url,
  };
  const all: ServiceProcess[] = [];
  t.after(async () => {
    await Promise.all(all.map((p) => p.stop('SIGKILL')));
    await target.close();
    await s3rver.close();
    await broker.cleanup(prefix);
    await dropSchema(schema);
  });
  // The API first: it makes the buckets and applies the migrations.
  const api = await startService(['media.api'], env);
  all.push(api);
  const others = await Promise.all([
    startService(['media.indexer'], env),
    startService(['media.thumbnailer'], env),
    startService(['media.thumbnailer'], env),
  ]);
  all.push(...others);
  const s3 = new S3Client({
    endpoint: s3rver.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: s3rver.credentials,
  });
  t.after(async () => s3.destroy());
  return {
    s3,
    api,
    thumbnailers: others.slice(1),
    all,
    async pending() {
      await Promise.all([...sends]);
      assert.deepEqual(failures, [], 'the MinIO target could not send a notification');
    },
  };
}

async function upload(d: Deployment, keys: readonly string[]): Promise<void> {
  const photos = await photoJpegs(keys.length, { width: 800, height: 600 });
  await Promise.all(
    keys.map((key, i) =>
      d.s3.send(
        new PutObjectCommand({
          Bucket: 'images',
          Key: key,
          Body: photos[i],
          ContentType: 'image/jpeg',
        }),
      ),
    ),
  );
  await d.pending();
}

async function everyUploadDone(d: Deployment, keys: readonly string[]): Promise<ImageRecord[]> {
  const records = await waitFor(
    `${keys.length} uploads thumbnailed`,
    async () => {
      const found = await allRecords(d.api.url);
      const done = found.filter((r) => r.status !== 'indexed');
      return done.length >= keys.length ? found : undefined;
    },
    90_000,
    200,
  ).catch((error: Error) => {
    const logs = d.all.map((p) => `--- ${p.name}\n${p.output()}`).join('\n');
    throw new Error(`${error.message}\n${logs}`);
  });
  assert.deepEqual(
    records.map((r) => r.key).sort(),
    [...keys].sort(),
    'one record per upload, no more',
  );
  for (const record of records) {
    assert.equal(record.status, 'thumbnailed', `${record.key}: ${record.error ?? ''}`);
  }
  const thumbnails = await listAll(d.s3, 'thumbnails');
  assert.equal(thumbnails.length, keys.length, 'one thumbnail per upload, no more');
  assert.deepEqual(
    thumbnails.sort(),
    records.map((r) => thumbnailKeyOf(r.id, 'webp')).sort(),
    'each record names its thumbnail',
  );
  return records;
}

/**
 * The whole pipeline on `broker`; with `failover`, also kill -9 of a
 * thumbnailer (the broker contract's crash tests cover each engine's
 * redelivery; here it is shown once end to end, on NATS, to keep CI short).
 */
function scaleOutSuite(broker: ScaleOutBroker, { failover }: { failover: boolean }): void {
  describe(`media as separate processes on ${broker.name} + PostgreSQL + S3`, async () => {
    const skip = await broker.skip();
    test('every upload gets exactly one record and one thumbnail; two thumbnailers share the work', {
      skip,
      timeout: 180_000,
    }, async (t) => {
      const d = await deploy(t, broker);
      const keys = Array.from({ length: UPLOADS }, (_, i) => `photos/${i}.jpg`);
      await upload(d, keys);
      await everyUploadDone(d, keys);
      const shares = await Promise.all(
        d.thumbnailers.map((p) => consumedBy(p, 'thumbnails-event')),
      );
      assert.equal(
        shares.reduce((a, b) => a + b, 0),
        UPLOADS,
        `each thumbnail event handled once in all (${shares.join(' + ')})`,
      );
      for (const share of shares)
        assert.ok(share > 0, `a thumbnailer did nothing (${shares.join(' + ')})`);
    });

    if (!failover) return;
    test('kill -9 of a thumbnailer: the events it held go to the other member', {
      skip,
      timeout: 180_000,
    }, async (t) => {
      const d = await deploy(t, broker);
      const [victim, survivor] = d.thumbnailers as [ServiceProcess, ServiceProcess];
      const keys = Array.from({ length: UPLOADS }, (_, i) => `burst/${i}.jpg`);
      await upload(d, keys);
      // Kill it as soon as it is working, with the rest of its share unacknowledged.
      await waitFor(
        'the victim to start thumbnailing',
        async () => (await consumedBy(victim, 'thumbnails-event')) > 0 || undefined,
        60_000,
        5,
      );
      await victim.stop('SIGKILL');
      await everyUploadDone(d, keys);
      assert.ok(
        (await consumedBy(survivor, 'thumbnails-event')) > 0,
        'the survivor took over nothing',
      );
    });
  });
}

scaleOutSuite(natsBroker, { failover: true });
scaleOutSuite(redisBroker, { failover: false });

/**
 * The media pipeline end to end, as a user runs it: originals uploaded
 * through the S3 endpoint with @aws-sdk/client-s3, the bucket notification,
 * the indexer, the thumbnailer; timed until every record is thumbnailed
 * (thumbnail stored, record updated). Same originals, thumbnail settings and
 * concurrency as the raw sharp loop beside it.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

// The SDK warns that its releases after early 2027 need Node 22; this machine runs 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import type { Kysely } from 'kysely';
import { mediaApp } from '../src/apps/media/app.ts';
import type { MediaDb } from '../src/apps/media/schema.ts';
import { storageApp } from '../src/apps/storage/app.ts';
import { DEV_S3_ACCESS_KEY, DEV_S3_SECRET_KEY, loadConfig } from '../src/runtime/config.ts';
import { startHost } from '../src/runtime/host.ts';
import { runCallers, type Throughput, throughput } from './measurement.ts';
import type { ThumbnailRun } from './media-raw.ts';

async function thumbnailed(db: Kysely<MediaDb>): Promise<number> {
  const row = await db
    .selectFrom('media_images')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'thumbnailed')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function measureMediaEndToEnd(dir: string, run: ThumbnailRun): Promise<Throughput> {
  const previous = process.env.EVENTYARD_MEDIA_CONCURRENCY;
  process.env.EVENTYARD_MEDIA_CONCURRENCY = String(run.concurrency);
  const host = await startHost({
    config: loadConfig({
      EVENTYARD_DATA_DIR: dir,
      EVENTYARD_PORT: '0',
      EVENTYARD_S3_PORT: '0',
      EVENTYARD_LOG_LEVEL: 'silent',
    }),
    apps: [storageApp, mediaApp],
  });
  const s3 = new S3Client({
    endpoint: host.parts.find((part) => part.service === 'storage.s3')!.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: DEV_S3_ACCESS_KEY, secretAccessKey: DEV_S3_SECRET_KEY },
  });
  try {
    const db = host.engines.store.db as Kysely<MediaDb>;
    const upload = (key: string, body: Buffer) =>
      s3.send(
        new PutObjectCommand({ Bucket: 'images', Key: key, Body: body, ContentType: 'image/jpeg' }),
      );
    await Promise.all(run.warmup.map((body, i) => upload(`warmup/${i}.jpg`, body)));
    while ((await thumbnailed(db)) < run.warmup.length) await new Promise((r) => setTimeout(r, 20));
    const total = run.originals.length * run.rounds;
    const started = performance.now();
    await runCallers(run.concurrency, total, Number.POSITIVE_INFINITY, (index) =>
      upload(`bench/${index}.jpg`, run.originals[index % run.originals.length]!),
    );
    while ((await thumbnailed(db)) < run.warmup.length + total) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const { width, height, format } = run.thumbnail;
    return throughput(
      `media end to end (S3 upload -> thumbnail stored, record updated), ${run.originals.length} originals x ${run.rounds}, ${width}x${height} ${format}, ${run.concurrency} at a time`,
      total,
      performance.now() - started,
    );
  } finally {
    s3.destroy();
    await host.close();
    if (previous === undefined) delete process.env.EVENTYARD_MEDIA_CONCURRENCY;
    else process.env.EVENTYARD_MEDIA_CONCURRENCY = previous;
  }
}

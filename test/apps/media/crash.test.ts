/**
 * kill -9 of `eventyard start` at random points while uploads flow through
 * the S3 endpoint, round after round; after the last restart every uploaded
 * object has exactly one record and one thumbnail.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { photoJpeg } from '../../fixtures/media/images.ts';
import { freePort } from '../../support/ports.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { TEST_KEYS } from './media-host.ts';
import { allRecords, listAll } from './media-listing.ts';

const ROUNDS = Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 20);
const BIN = resolve(import.meta.dirname, '../../../bin/eventyard.js');

function startServer(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, 'start'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function healthy(url: string): Promise<void> {
  await waitFor(
    'the server to start',
    async () => (await fetch(`${url}/health`).catch(() => undefined))?.ok,
    30_000,
    50,
  );
}

test(`kill -9 while uploads flow (${ROUNDS} rounds): every object gets exactly one record and one thumbnail`, {
  timeout: 300_000,
}, async (t) => {
  const dir = tempDir('eventyard-media-crash-');
  const [port, s3Port] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    EVENTYARD_DATA_DIR: dir.path,
    EVENTYARD_PORT: String(port),
    EVENTYARD_S3_PORT: String(s3Port),
    EVENTYARD_LOG_LEVEL: 'error',
  };
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TEST_KEYS,
    maxAttempts: 1,
  });
  let server: ChildProcess | undefined;
  t.after(async () => {
    s3.destroy();
    if (server && server.exitCode === null) server.kill('SIGKILL');
    dir.remove();
  });
  const image = await photoJpeg({ width: 64, height: 48 });
  const acknowledged: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    server = startServer(env);
    const exited = new Promise((done) => server!.once('exit', done));
    await healthy(url);
    let uploading = true;
    let n = 0;
    const uploader = async () => {
      while (uploading) {
        const key = `round-${round}/${n++}.jpg`;
        try {
          await s3.send(
            new PutObjectCommand({
              Bucket: 'images',
              Key: key,
              Body: image,
              ContentType: 'image/jpeg',
            }),
          );
          acknowledged.push(key);
        } catch {
          return; // the server is gone
        }
      }
    };
    const uploaders = [uploader(), uploader(), uploader()];
    await delay(100 + Math.floor(Math.random() * 1_200));
    server.kill('SIGKILL');
    uploading = false;
    await exited;
    await Promise.all(uploaders);
  }
  assert.ok(acknowledged.length > ROUNDS, `only ${acknowledged.length} uploads were acknowledged`);

  server = startServer(env);
  await healthy(url);
  const objects = await listAll(s3, 'images');
  const stored = new Set(objects);
  const lost = acknowledged.filter((key) => !stored.has(key));
  assert.deepEqual(lost, [], 'acknowledged uploads are missing from bucket images');
  const records = await waitFor(
    'every object to have a finished record',
    async () => {
      const all = await allRecords(url);
      const done = all.filter((record) => record.status !== 'indexed');
      return done.length >= objects.length ? all : undefined;
    },
    120_000,
    200,
  );
  const perKey = new Map<string, number>();
  for (const record of records) perKey.set(record.key, (perKey.get(record.key) ?? 0) + 1);
  assert.deepEqual(
    objects.filter((key) => perKey.get(key) !== 1),
    [],
    'objects without exactly one record',
  );
  assert.equal(records.length, objects.length, 'records for objects that do not exist');
  assert.deepEqual(
    records.filter((record) => record.status !== 'thumbnailed').map((r) => [r.key, r.error]),
    [],
  );
  const thumbnails = await listAll(s3, 'thumbnails');
  assert.deepEqual(
    thumbnails.sort(),
    records.map((record) => `${record.id}.webp`).sort(),
    'thumbnails are not exactly one per record',
  );
  const stopped = new Promise((done) => server!.once('exit', done));
  server.kill('SIGTERM');
  await stopped;
});

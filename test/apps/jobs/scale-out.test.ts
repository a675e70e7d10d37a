/**
 * The jobs app of seed 002 as a scale-out deployment runs it: `eventyard
 * run` processes for the API and two workers sharing their group, on NATS
 * JetStream, PostgreSQL and an S3 server (s3rver), driven over real HTTP
 * with the seed's request shape. Every job must end with exactly one
 * outcome (SUCCESS with a fetchable image, or FAILED with the reason), also
 * when a worker is killed with kill -9 while it holds jobs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { loadJobsConfig } from '../../../src/apps/jobs/jobs-config.ts';
import { DATA_STREAM, STATUS_STREAM } from '../../../src/apps/jobs/names.ts';
import {
  dropSchema,
  POSTGRES_URL,
  skipUnlessPostgres,
  uniqueSchema,
} from '../../adapters/postgres/fixtures/postgres-scope.ts';
import { photoJpegs } from '../../fixtures/media/images.ts';
import { startS3rver } from '../../support/s3rver.ts';
import { consumedBy, type ServiceProcess, startService } from '../../support/service-process.ts';
import { waitFor } from '../../support/wait.ts';
import { natsBroker } from '../media/scale-out/brokers.ts';
import { countPerJob, topicHistory } from './crash-history.ts';
import { JobsClient, type JobView, tokenFor } from './jobs-client.ts';

const IMAGES = 16;
const NOT_IMAGES = 2;

interface Deployment {
  readonly api: ServiceProcess;
  readonly workers: ServiceProcess[];
  readonly all: ServiceProcess[];
  readonly client: JobsClient;
}

/** `brokerParameters` are appended to EVENTYARD_BROKER (nats-options.ts). */
async function deploy(
  t: { after(fn: () => Promise<void>): void },
  brokerParameters = '',
): Promise<Deployment> {
  const prefix = `eyjobs${uniqueSchema().slice(-8)}`;
  const schema = uniqueSchema();
  const s3rver = await startS3rver();
  const env = {
    EVENTYARD_BROKER: `${natsBroker.url(prefix)}${brokerParameters}`,
    EVENTYARD_STORE: `${POSTGRES_URL}?schema=${schema}`,
    EVENTYARD_OBJECTS: s3rver.url,
  };
  const all: ServiceProcess[] = [];
  t.after(async () => {
    await Promise.all(all.map((p) => p.stop('SIGKILL')));
    await s3rver.close();
    await natsBroker.cleanup(prefix);
    await dropSchema(schema);
  });
  // The API first: it applies the migrations and makes the buckets.
  const api = await startService(['jobs.api'], env);
  all.push(api);
  const workers = await Promise.all([
    startService(['jobs.worker'], env),
    startService(['jobs.worker'], env),
  ]);
  all.push(...workers);
  // The processes verify with the development secret (they listen on
  // loopback) unless the environment names one, which they inherit too.
  const client = new JobsClient(api.url, await tokenFor('scale-1'));
  return { api, workers, all, client };
}

interface Created {
  readonly id: string;
  readonly image: boolean;
}

async function createJobs(d: Deployment, tag: string): Promise<Created[]> {
  const photos = await photoJpegs(IMAGES, { width: 1200, height: 900 });
  const contents = [
    ...photos.map((bytes) => ({ bytes, image: true })),
    ...Array.from({ length: NOT_IMAGES }, (_, i) => ({
      bytes: Buffer.from(`%PDF-1.4 ${tag} ${i}, not an image`),
      image: false,
    })),
  ];
  return Promise.all(
    contents.map(async ({ bytes, image }) => {
      const created = await d.client.create(bytes);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.payloadSize, String(bytes.length));
      return { id: created.body.jobId, image };
    }),
  );
}

/** Waits for every job to finish, then checks each has the one outcome its content calls for. */
async function everyJobDone(d: Deployment, jobs: readonly Created[]): Promise<void> {
  const views = await Promise.all(jobs.map(({ id }) => d.client.finished(id, 60_000))).catch(
    (error: Error) => {
      const logs = d.all.map((p) => `--- ${p.name}\n${p.output()}`).join('\n');
      throw new Error(`${error.message}\n${logs}`);
    },
  );
  for (const [i, { id, image }] of jobs.entries()) {
    const job: JobView = views[i]!;
    if (image) {
      assert.equal(job.status, 'SUCCESS', `${id}: ${job.failureReason}`);
      const result = await d.client.bytes(id, 'result');
      assert.equal(result.status, 200, `result of ${id}`);
      assert.equal(job.resultSize, String(result.bytes.length));
      const meta = await sharp(result.bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 1024, 768]);
    } else {
      assert.equal(job.status, 'FAILED', id);
      assert.match(job.failureReason ?? '', /^not-an-image: /);
      assert.equal((await d.client.bytes(id, 'result')).status, 404);
    }
  }
  // The outbox forwarder publishes outcomes after their commit; the status
  // is updated by consuming them, so by now every outcome is on the topic.
  const outcomes = countPerJob(await topicHistory(d.api.url, STATUS_STREAM));
  assert.deepEqual(
    [...outcomes.entries()].filter(([, n]) => n !== 1),
    [],
    'every job has exactly one outcome on status_stream',
  );
  assert.deepEqual([...outcomes.keys()].sort(), jobs.map((j) => j.id).sort());
}

describe('jobs as separate processes on NATS + PostgreSQL + S3', async () => {
  const skip = (await natsBroker.skip()) ?? (await skipUnlessPostgres());

  test('every job ends with one outcome; two workers share the jobs', {
    skip,
    timeout: 150_000,
  }, async (t) => {
    const d = await deploy(t);
    const jobs = await createJobs(d, 'share');
    await everyJobDone(d, jobs);
    const shares = await Promise.all(d.workers.map((p) => consumedBy(p, DATA_STREAM)));
    assert.equal(
      shares.reduce((a, b) => a + b, 0),
      jobs.length,
      `each job message handled once in all (${shares.join(' + ')})`,
    );
    for (const share of shares)
      assert.ok(share > 0, `a worker did nothing (${shares.join(' + ')})`);
  });

  test('kill -9 of a worker: the jobs it held go to the other, each still with one outcome', {
    skip,
    timeout: 150_000,
  }, async (t) => {
    // Redelivery and partition takeover after seconds, not the default
    // 30 s: the handlers report progress well inside that.
    const d = await deploy(t, '&ackWaitMs=5000&leaseMs=3000');
    const [victim, survivor] = d.workers as [ServiceProcess, ServiceProcess];
    const jobs = await createJobs(d, 'kill');
    // Kill it as soon as it is working, with the rest of its share unacknowledged.
    await waitFor(
      'the victim to finish a job',
      async () => (await consumedBy(victim, DATA_STREAM)) > 0 || undefined,
      60_000,
      5,
    );
    const before = await consumedBy(victim, DATA_STREAM);
    await victim.stop('SIGKILL');
    await everyJobDone(d, jobs);
    // Between the read and the kill the victim can finish at most the jobs it was working on.
    const { concurrency } = loadJobsConfig(process.env);
    const taken = await consumedBy(survivor, DATA_STREAM);
    assert.ok(
      taken >= jobs.length - before - concurrency,
      `the survivor handled ${taken} of ${jobs.length}, the victim ${before} before it died`,
    );
  });
});

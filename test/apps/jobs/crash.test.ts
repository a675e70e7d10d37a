/**
 * kill -9 of `eventyard start` at random points while clients create jobs,
 * round after round; after the last restart every job that was answered 201
 * has ended with the outcome its content calls for, every job was published
 * on `status_stream` exactly once, and each SUCCESS has exactly one result
 * object.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import type { StatusMessage } from '../../../src/apps/jobs/job-message.ts';
import { DATA_STREAM, RESULTS_BUCKET, STATUS_STREAM } from '../../../src/apps/jobs/names.ts';
import { photoJpeg } from '../../fixtures/media/images.ts';
import { EventyardServers } from '../../support/eventyard-servers.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { TEST_KEYS } from '../media/media-host.ts';
import { listAll } from '../media/media-listing.ts';
import { backlog, countPerJob, topicHistory } from './crash-history.ts';
import { JobsClient, type JobView, tokenFor } from './jobs-client.ts';

const ROUNDS = Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 20);
const TENANTS = ['crash-1', 'crash-2'];
const CLIENTS = 4;
const PACE_MS = 10;

interface Acknowledged {
  readonly id: string;
  readonly tenantId: string;
  readonly image: boolean;
}

/** Clients POST jobs until the server is killed at a random point; returns the jobs answered 201. */
async function crashRound(
  servers: EventyardServers,
  url: string,
  clients: ReadonlyMap<string, JobsClient>,
  image: Buffer,
): Promise<{ acknowledged: Acknowledged[]; backlog: number }> {
  const { server, exited } = await servers.start();
  const acknowledged: Acknowledged[] = [];
  let posting = true;
  const poster = async (tenantId: string) => {
    const client = clients.get(tenantId)!;
    for (let n = 0; posting; n++) {
      // One job in four is not an image, so FAILED outcomes cross the crashes too.
      const isImage = n % 4 !== 3;
      const content = isImage ? image : Buffer.from(`%PDF-1.4 job ${n} of ${tenantId}`);
      const answer = await client.create(content).catch((error: Error) => {
        if (posting) throw error;
        return undefined; // killed in flight: this job's fate is unknown to its client
      });
      if (!answer) return;
      assert.equal(answer.status, 201, `POST answered ${answer.status}: ${JSON.stringify(answer)}`);
      acknowledged.push({ id: answer.body.jobId, tenantId, image: isImage });
      // Paced near what the worker keeps up with: plenty in flight at every kill, while the
      // backlog (and the drain after the last restart) stays in the hundreds, not thousands.
      await delay(PACE_MS);
    }
  };
  const posters = Promise.all(
    Array.from({ length: CLIENTS }, (_, c) => poster(TENANTS[c % TENANTS.length]!)),
  );
  await delay(100 + Math.floor(Math.random() * 1_200));
  // Evidence that the kill lands on work in flight, not on an idle worker.
  const waiting = await backlog(url, DATA_STREAM).catch(() => -1);
  posting = false;
  server.kill('SIGKILL');
  await exited;
  await posters;
  return { acknowledged, backlog: waiting };
}

/** Polls every job until none is RUNNING; a few at a time, so polling does not starve the worker. */
async function finalViews(
  clients: ReadonlyMap<string, JobsClient>,
  jobs: readonly Acknowledged[],
): Promise<Map<string, JobView>> {
  const views = new Map<string, JobView>();
  let pending = [...jobs];
  await waitFor(
    'every acknowledged job to leave RUNNING',
    async () => {
      const still: Acknowledged[] = [];
      for (let i = 0; i < pending.length; i += 8) {
        await Promise.all(
          pending.slice(i, i + 8).map(async (job) => {
            const { status, body } = await clients.get(job.tenantId)!.job(job.id);
            assert.equal(status, 200, `job ${job.id} was answered 201 but is unknown now`);
            if (body.status === 'RUNNING') still.push(job);
            else views.set(job.id, body);
          }),
        );
      }
      pending = still;
      return pending.length === 0;
    },
    60_000,
    250,
  );
  return views;
}

/** Images end SUCCESS with a result; anything else ends FAILED, saying it is not an image. */
function assertEndings(views: ReadonlyMap<string, JobView>, acknowledged: readonly Acknowledged[]) {
  assert.deepEqual(
    acknowledged
      .map((job) => ({ job, view: views.get(job.id)! }))
      .filter(({ job, view }) =>
        job.image
          ? view.status !== 'SUCCESS' || view.resultLocation === null
          : view.status !== 'FAILED' || !/^not-an-image: /.test(view.failureReason ?? ''),
      )
      .map(({ job, view }) => [job.id, job.image, view.status, view.failureReason]),
    [],
    'jobs that did not end as their content calls for: [id, image?, status, reason]',
  );
}

/** Every job has one message on `data_stream` and one outcome on `status_stream`; returns the outcomes. */
async function assertPublishedOnce(
  url: string,
  acknowledged: readonly Acknowledged[],
): Promise<StatusMessage[]> {
  const statusEvents = await topicHistory(url, STATUS_STREAM);
  const outcomes = countPerJob(statusEvents);
  const created = countPerJob(await topicHistory(url, DATA_STREAM));
  assert.deepEqual(
    acknowledged.filter((job) => created.get(job.id) !== 1).map((job) => job.id),
    [],
    `acknowledged jobs without exactly one message on ${DATA_STREAM}`,
  );
  assert.deepEqual(
    [...created.keys()].filter((id) => outcomes.get(id) !== 1),
    [],
    `jobs without exactly one outcome on ${STATUS_STREAM}`,
  );
  assert.deepEqual(
    [...outcomes.keys()].filter((id) => !created.has(id)),
    [],
    'outcomes of jobs that were never created',
  );
  return statusEvents.map(({ event }) => event.data as StatusMessage);
}

/** Each SUCCESS outcome names its result: the bucket holds exactly those keys, nothing else. */
async function assertOneResultPerSuccess(
  s3: S3Client,
  outcomes: readonly StatusMessage[],
  acknowledged: readonly Acknowledged[],
): Promise<void> {
  const named = outcomes.flatMap((outcome) =>
    outcome.status === 'SUCCESS' ? [outcome.result.key] : [],
  );
  const results = await listAll(s3, RESULTS_BUCKET);
  assert.deepEqual(results.sort(), named.sort(), `${RESULTS_BUCKET} is not one result per SUCCESS`);
  const stored = new Set(results);
  assert.deepEqual(
    acknowledged
      .filter((job) => job.image && !stored.has(`${job.tenantId}/${job.id}.webp`))
      .map((job) => job.id),
    [],
    `SUCCESS jobs without their result in ${RESULTS_BUCKET}`,
  );
}

test(`kill -9 while jobs are created (${ROUNDS} rounds): every job ends once, with one result`, {
  timeout: 240_000,
}, async (t) => {
  const dir = tempDir('eventyard-jobs-crash-');
  const servers = await EventyardServers.on(dir.path);
  const { url, s3Port } = servers;
  const s3 = new S3Client({
    endpoint: `http://127.0.0.1:${s3Port}`,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: TEST_KEYS,
    maxAttempts: 1,
  });
  t.after(() => {
    s3.destroy();
    servers.killAll();
    dir.remove();
  });
  const clients = new Map<string, JobsClient>();
  for (const tenantId of TENANTS) {
    clients.set(tenantId, new JobsClient(url, await tokenFor(tenantId)));
  }
  const image = await photoJpeg({ width: 64, height: 48 });
  const acknowledged: Acknowledged[] = [];
  const backlogs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const crash = await crashRound(servers, url, clients, image);
    acknowledged.push(...crash.acknowledged);
    backlogs.push(crash.backlog);
  }
  t.diagnostic(
    `${acknowledged.length} jobs acknowledged; not yet worked on at each kill: ${backlogs.join(' ')}`,
  );
  assert.ok(acknowledged.length > ROUNDS, `only ${acknowledged.length} jobs were acknowledged`);
  assert.ok(
    acknowledged.some((job) => !job.image),
    'no job without an image was acknowledged',
  );

  const { server, exited } = await servers.start();
  // Jobs whose 201 was lost in a kill exist too and obey the same rules, so the histories
  // are read once every group has handled everything, not merely the acknowledged jobs.
  await waitFor(
    'every group of the jobs topics to catch up',
    async () => (await backlog(url, DATA_STREAM)) + (await backlog(url, STATUS_STREAM)) === 0,
    120_000,
    100,
  );
  assertEndings(await finalViews(clients, acknowledged), acknowledged);
  const outcomes = await assertPublishedOnce(url, acknowledged);
  await assertOneResultPerSuccess(s3, outcomes, acknowledged);

  server.kill('SIGTERM');
  await exited;
});

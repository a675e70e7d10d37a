/**
 * Section 10, the jobs app (seed 002) as `npm start` runs it (API and
 * worker in one host, embedded engines):
 *
 * 1. `POST /ptc-file-processor/job/image` at a steady rate (500 requests/s,
 *    one every 2 ms, ~10 KiB JPEGs, each body its own image and MD5):
 *    accepted jobs/s, p50/p99 latency from each request's planned send
 *    time, non-2xx; the target is p99 < 20 ms. (Not autocannon's
 *    `overallRate`, which sends each second's share in one burst:
 *    paced-load.ts.)
 * 2. The same POST with no rate limit: the most jobs/s the API accepts,
 *    beside a bare fastify route doing the same decode, MD5, file
 *    write and SQLite insert (jobs-raw.ts).
 * 3. Jobs end to end: N jobs posted, timed until every one is SUCCESS in
 *    the database (the worker's sharp work and the status consumer's update).
 *
 * The load generator runs in a child process (jobs-load.ts), the host in
 * this one. A generator in the host's process would share its event loop:
 * building a body (MD5 + base64 of 10 KiB) and parsing responses would run
 * between the server's callbacks and count in its latency. A child gets
 * its own event loop and, on a 2-core machine, its own core most of the
 * time; the host keeps the other (sharp's threads, used by the worker,
 * compete with both, as they would in production). The host stays here so
 * the completion run can count SUCCESS rows in its database directly.
 *
 * Each run gets a fresh host on its own data dir: jobs left over from one
 * run (the worker lags behind 500 posts/s) do not load the next.
 *
 * `node --import tsx bench/jobs.ts [--quick]` runs this section alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { jobsApp } from '../src/apps/jobs/app.ts';
import type { JobsDb } from '../src/apps/jobs/schema.ts';
import { loadConfig } from '../src/runtime/config.ts';
import { type Host, startHost } from '../src/runtime/host.ts';
import { JobsClient, tokenFor } from '../test/apps/jobs/jobs-client.ts';
import { photoJpeg } from '../test/fixtures/media/images.ts';
import { type LoadResult, numberedJpeg, runLoad } from './jobs-load.ts';
import { measureRawJobPost } from './jobs-raw.ts';
import {
  collectGarbage,
  type Latency,
  ratio,
  runCallers,
  settleMachine,
  type Throughput,
  throughput,
} from './measurement.ts';
import { newSection, renderSection, type Section } from './report.ts';

export interface JobsSizes {
  /** Fixed request rate of run 1, requests/s. */
  readonly rate: number;
  /** Keep-alive connections of run 1, at most (a request waits for a free one). */
  readonly rateConnections: number;
  /** Connections of run 2, no rate limit. */
  readonly maxConnections: number;
  readonly warmupSeconds: number;
  /** Measured time of run 1. */
  readonly seconds: number;
  /** Measured time of run 2, each side. */
  readonly maxSeconds: number;
  /** Jobs posted in run 3. */
  readonly completionJobs: number;
  /** Concurrent posters in run 3. */
  readonly completionCallers: number;
  /**
   * Wait for a quiet machine before run 1 (settleMachine). Not in a quick
   * run: beside the tests that run it, the machine is never quiet.
   */
  readonly settle: boolean;
}

export const JOBS_DEFAULT_SIZES: JobsSizes = {
  rate: 500,
  rateConnections: 50,
  maxConnections: 32,
  warmupSeconds: 2,
  seconds: 10,
  maxSeconds: 5,
  completionJobs: 500,
  completionCallers: 16,
  settle: true,
};

export const JOBS_QUICK_SIZES: JobsSizes = {
  rate: 500,
  rateConnections: 50,
  maxConnections: 32,
  warmupSeconds: 0,
  seconds: 1,
  maxSeconds: 1,
  completionJobs: 50,
  completionCallers: 16,
  settle: false,
};

/** Issue 6: p99 of POST job/image at 500 requests/s, ms. */
export const TARGET_POST_P99_MS = 20;

/**
 * 300x225 photo-like JPEG at quality 85: 10,924 bytes (~10.7 KiB), a
 * real camera-like image, not padding. Each request adds a ~25-byte comment.
 */
const BENCH_IMAGE = { width: 300, height: 225, quality: 85 };

const TITLE =
  '10. Jobs: POST /ptc-file-processor/job/image under load, and jobs end to end (POST -> SUCCESS)';

async function withHost<T>(dir: string, work: (host: Host) => Promise<T>): Promise<T> {
  const host = await startHost({
    config: loadConfig({
      EVENTYARD_DATA_DIR: dir,
      EVENTYARD_PORT: '0',
      EVENTYARD_LOG_LEVEL: 'silent',
    }),
    apps: [jobsApp],
  });
  try {
    return await work(host);
  } finally {
    await host.close();
  }
}

async function countByStatus(db: Kysely<JobsDb>): Promise<{ success: number; failed: number }> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { success: count('SUCCESS'), failed: count('FAILED') };
}

/** Polls the database until `expected` jobs are SUCCESS; throws if any FAILED. */
async function allSucceeded(db: Kysely<JobsDb>, expected: number): Promise<void> {
  for (;;) {
    const { success, failed } = await countByStatus(db);
    if (failed > 0) throw new Error(`${failed} bench jobs FAILED`);
    if (success >= expected) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function postLoad(
  dir: string,
  image: Buffer,
  sizes: JobsSizes,
  limited: boolean,
): Promise<LoadResult> {
  return withHost(dir, async (host) => {
    collectGarbage();
    return runLoad({
      url: host.url,
      token: await tokenFor('1'),
      image,
      connections: limited ? sizes.rateConnections : sizes.maxConnections,
      ...(limited ? { rate: sizes.rate } : {}),
      warmupSeconds: sizes.warmupSeconds,
      seconds: limited ? sizes.seconds : sizes.maxSeconds,
    });
  });
}

async function completion(dir: string, image: Buffer, sizes: JobsSizes): Promise<Throughput> {
  return withHost(dir, async (host) => {
    const client = new JobsClient(host.url, await tokenFor('1'));
    const db = host.engines.store.db as Kysely<JobsDb>;
    const post = async (sequence: number) => {
      const { status, body } = await client.create(numberedJpeg(image, sequence));
      if (status !== 201) throw new Error(`POST job/image: HTTP ${status} ${JSON.stringify(body)}`);
    };
    // Warm-up: sharp's first decode and encode, the subscriptions' first batch.
    const warmup = sizes.completionCallers;
    await runCallers(warmup, warmup, Number.POSITIVE_INFINITY, (i) => post(1_000_000_000 + i));
    await allSucceeded(db, warmup);
    const started = performance.now();
    await runCallers(sizes.completionCallers, sizes.completionJobs, Number.POSITIVE_INFINITY, post);
    await allSucceeded(db, warmup + sizes.completionJobs);
    return throughput(
      `jobs end to end (POST -> SUCCESS), ${sizes.completionJobs} jobs, ${sizes.completionCallers} posting at a time`,
      sizes.completionJobs,
      performance.now() - started,
    );
  });
}

function loadFigures(name: string, load: LoadResult, rate: number): [Throughput, Latency] {
  return [
    throughput(`${name}: accepted (201)`, load.accepted, load.seconds * 1000),
    { name, events: load.responses, rate, p50Ms: load.p50Ms, p99Ms: load.p99Ms, maxMs: load.maxMs },
  ];
}

function describeErrors(name: string, load: LoadResult): string {
  return `${name}: ${load.non2xx} non-2xx, ${load.errors} connection errors/timeouts of ${load.responses} responses`;
}

export async function measureJobs(dir: string, sizes: JobsSizes): Promise<Section> {
  const section = newSection(TITLE);
  const image = await photoJpeg(BENCH_IMAGE);
  // The engines of earlier sections go on deleting and flushing for a while: latency waits.
  const quietAfterMs = sizes.settle ? await settleMachine() : undefined;
  const fixed = await postLoad(join(dir, 'jobs-rate'), image, sizes, true);
  const max = await postLoad(join(dir, 'jobs-max'), image, sizes, false);
  const raw = await measureRawJobPost(join(dir, 'jobs-raw'), {
    image,
    connections: sizes.maxConnections,
    warmupSeconds: sizes.warmupSeconds,
    seconds: sizes.maxSeconds,
  });
  const endToEnd = await completion(join(dir, 'jobs-e2e'), image, sizes);

  const fixedName = `POST job/image at ${sizes.rate} req/s, ${sizes.rateConnections} connections, ${sizes.seconds} s`;
  const unlimited = `no rate limit, ${sizes.maxConnections} connections, ${sizes.maxSeconds} s`;
  const maxName = `POST job/image, ${unlimited}`;
  const rawName = `raw fastify (decode, MD5, file written, SQLite insert), ${unlimited}`;
  const [fixedRate, fixedLatency] = loadFigures(fixedName, fixed, sizes.rate);
  const [maxRate, maxLatency] = loadFigures(maxName, max, 0);
  const [rawRate, rawLatency] = loadFigures(rawName, raw, 0);
  section.throughputs.push(fixedRate, maxRate, rawRate, endToEnd);
  section.latencies.push(fixedLatency, maxLatency, rawLatency);
  section.ratios.push(ratio('eventyard/raw POST job/image, no rate limit', maxRate, rawRate));
  // Target is an upper bound; report.ts only renders floors, so it is printed in the same words here.
  const pass = fixed.p99Ms < TARGET_POST_P99_MS && fixed.non2xx === 0 && fixed.errors === 0;
  section.notes.push(
    `target POST job/image p99 at ${sizes.rate} req/s < ${TARGET_POST_P99_MS} ms: ${pass ? 'PASS' : 'FAIL'} (${fixed.p99Ms.toFixed(2)})`,
    describeErrors(fixedName, fixed),
    describeErrors(maxName, max),
    describeErrors(rawName, raw),
    `image: photo-like JPEG ${BENCH_IMAGE.width}x${BENCH_IMAGE.height} q${BENCH_IMAGE.quality}, ${image.length.toLocaleString('en-US')} bytes, a numbered JPEG comment per request (own MD5)`,
    'load: a child process (steady rate: one request every 1/rate s, node:http keep-alive; no rate limit: autocannon), host (API + worker, embedded engines) in the bench process; the worker processes the posted jobs meanwhile',
    'latency, steady rate: from the planned send time to the response, ms (a request kept waiting counts its wait); no rate limit: autocannon, from request sent to response',
    quietAfterMs === undefined
      ? 'the steady-rate run started at once (quick run)'
      : `the steady-rate run started after \`sync\` and 1 s under 20% CPU (${(quietAfterMs / 1000).toFixed(1)} s)`,
  );
  return section;
}

// Alone: `node --import tsx bench/jobs.ts [--quick]`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-bench-'));
  try {
    const section = await measureJobs(dir, quick ? JOBS_QUICK_SIZES : JOBS_DEFAULT_SIZES);
    console.log(renderSection(section));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

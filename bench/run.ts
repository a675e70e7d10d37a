/**
 * `npm run bench [-- --quick] [-- --json]`: runs every measurement in one
 * process, in a fresh temp dir removed at the end, and prints the table
 * section by section (or one JSON document with `--json`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, cpus, loadavg, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchContext, TARGET_RATE } from './bench-context.ts';
import { measureEmbeddedConsume } from './consume.ts';
import { runHostSection } from './host-section.ts';
import { connectNats, measureJetStream, NATS_URL } from './jetstream.ts';
import { measureLatency } from './latency.ts';
import { type Ratio, ratio, type Throughput } from './measurement.ts';
import { measureMediaEndToEnd } from './media-e2e.ts';
import { measureRawSharp } from './media-raw.ts';
import {
  MEDIA_BENCH_THUMBNAIL,
  MEDIA_DEFAULT_SIZES,
  MEDIA_QUICK_SIZES,
  mediaWorkload,
} from './media-workload.ts';
import { measureNatsAdapter } from './nats.ts';
import { publishSections } from './publish-sections.ts';
import { measureRabbitMqAdapter, RABBITMQ_URL } from './rabbitmq.ts';
import { measureRawConsume } from './raw-sqlite.ts';
import { measureRedis, REDIS_BENCH_URL } from './redis.ts';
import {
  type BenchReport,
  newSection,
  renderHeader,
  renderJson,
  renderSection,
  type Section,
} from './report.ts';
import { benchEvents, DEFAULT_SIZES, QUICK_SIZES } from './workload.ts';

const USAGE = `usage: npm run bench [-- --quick] [-- --json]
  --quick  tiny sizes (a smoke run; figures not meaningful)
  --json   print one machine-readable JSON document instead of the table`;

interface Flags {
  readonly quick: boolean;
  readonly json: boolean;
}

function parseFlags(args: readonly string[]): Flags {
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg !== '--quick' && arg !== '--json') {
      console.error(`unknown option ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  return { quick: args.includes('--quick'), json: args.includes('--json') };
}

async function consumeSection(ctx: BenchContext): Promise<Throughput> {
  const events = ctx.events.slice(0, ctx.sizes.consumeEvents);
  const section = newSection(
    `3. Consume ${events.length.toLocaleString('en-US')} pre-filled 1 KiB events`,
  );
  const embedded = await measureEmbeddedConsume({ dir: ctx.dir, events, warmup: ctx.warmup });
  const raw = measureRawConsume({
    dir: ctx.dir,
    events,
    warmup: ctx.warmup,
    readBatch: ctx.sizes.readBatch,
  });
  section.throughputs.push(embedded, raw);
  section.ratios.push(ratio('eventyard/raw consume', embedded, raw));
  section.notes.push(
    'eventyard: the subscription runtime per event (timeout timer, retry, ack window, position commit every 100 ms)',
    'raw: SELECT in batches and JSON.parse only, no position kept',
  );
  section.targets.push({
    name: 'consume',
    value: embedded.eventsPerSecond,
    atLeast: TARGET_RATE,
    unit: 'events/s',
  });
  ctx.emit(section);
  return embedded;
}

async function latencySection(ctx: BenchContext): Promise<void> {
  const section = newSection('4. End-to-end latency, steady publish rate, one subscriber');
  section.latencies.push(
    await measureLatency({
      dir: ctx.dir,
      rate: ctx.sizes.latencyRate,
      seconds: ctx.sizes.latencySeconds,
    }),
  );
  ctx.emit(section);
}

async function jetStreamSection(
  ctx: BenchContext,
  embeddedPublish: Throughput,
  embeddedConsume: Throughput,
): Promise<void> {
  const section = newSection('5. Same events, raw NATS JetStream (@nats-io/jetstream)');
  const nc = await connectNats();
  if (!nc) {
    section.skipped = `nats not reachable at ${NATS_URL}`;
    ctx.emit(section);
    return;
  }
  try {
    const { sizes, events, warmup } = ctx;
    const result = await measureJetStream(nc, {
      callers: sizes.callers,
      events,
      warmup,
      seconds: sizes.seconds,
      pullBatch: 1000,
    });
    section.throughputs.push(result.publish, result.consume);
    section.ratios.push(
      ratio(
        `eventyard-embedded/raw-JetStream publish, ${sizes.callers} callers`,
        embeddedPublish,
        result.publish,
      ),
      ratio('eventyard-embedded/raw-JetStream consume', embeddedConsume, result.consume),
    );
    section.notes.push(
      'JetStream file storage syncs to disk every 2 min by default: compare with the default (kill -9) mode',
    );
  } finally {
    await nc.close();
  }
  ctx.emit(section);
}

async function mediaSection(ctx: BenchContext, quick: boolean): Promise<void> {
  const sizes = quick ? MEDIA_QUICK_SIZES : MEDIA_DEFAULT_SIZES;
  const section = newSection('6. Media: thumbnails end to end through S3, and a raw sharp loop');
  const workload = await mediaWorkload(sizes);
  const run = {
    ...workload,
    thumbnail: MEDIA_BENCH_THUMBNAIL,
    concurrency: sizes.concurrency,
    rounds: sizes.rounds,
  };
  const raw = await measureRawSharp(run);
  const endToEnd = await measureMediaEndToEnd(join(ctx.dir, 'media'), run);
  section.throughputs.push(endToEnd, raw);
  section.ratios.push(ratio('media end to end/raw sharp', endToEnd, raw));
  section.notes.push(
    'events/s here counts images',
    'end to end: SigV4 + MD5 + fsync of each upload, notification, record, thumbnail put, record update',
  );
  ctx.emit(section);
}

/** Events each server broker publishes and consumes per side (a server round trip each). */
const ADAPTER_EVENTS = { quick: 3_000, full: 50_000 };

interface AdapterResult {
  readonly throughputs: Throughput[];
  readonly ratios: Ratio[];
  readonly notes?: string[];
}

async function adapterSection(
  ctx: BenchContext,
  title: string,
  unreachable: string,
  measure: () => Promise<AdapterResult | undefined>,
  notes: readonly string[],
): Promise<void> {
  const section = newSection(title);
  const result = await measure();
  if (!result) {
    section.skipped = unreachable;
  } else {
    section.throughputs.push(...result.throughputs);
    section.ratios.push(...result.ratios);
    section.notes.push(...notes, ...(result.notes ?? []));
  }
  ctx.emit(section);
}

async function adapterSections(ctx: BenchContext, quick: boolean): Promise<void> {
  const count = quick ? ADAPTER_EVENTS.quick : ADAPTER_EVENTS.full;
  const events = ctx.events.slice(0, count);
  const common = {
    events,
    warmup: ctx.warmup,
    callers: ctx.sizes.callers,
    seconds: ctx.sizes.seconds,
  };
  const rounds = quick ? 1 : 3;
  await adapterSection(
    ctx,
    '7. NATS JetStream adapter vs raw @nats-io/jetstream, same events, same acks',
    'nats not reachable at nats://127.0.0.1:4222',
    () => measureNatsAdapter({ ...common, pullBatch: 1000 }),
    ['both: file-backed stream, publish awaits the PubAck, explicit ack per message'],
  );
  await adapterSection(
    ctx,
    '8. RabbitMQ adapter vs raw amqplib, same events, same confirms and acks',
    `rabbitmq not reachable at ${RABBITMQ_URL.replace(/\/\/[^@]*@/, '//')}`,
    // Five rounds: RabbitMQ's own rate varies most from round to round (see bench/rabbitmq.ts).
    () =>
      measureRabbitMqAdapter({
        ...common,
        prefetch: 1000,
        rounds: quick ? 1 : 5,
        settle: !quick,
      }),
    ['both: stream queue, publisher confirms, one ack per message'],
  );
  await adapterSection(
    ctx,
    '9. Redis Streams adapter vs raw ioredis, same events, same acks',
    `redis not reachable at ${REDIS_BENCH_URL}`,
    () => measureRedis({ ...common, partitions: 8, readCount: 64, rounds }),
    [],
  );
}

/** Sections 1 to 9, which share the run's events. */
async function eventSections(ctx: BenchContext, quick: boolean): Promise<void> {
  const embeddedPublish = await publishSections(ctx);
  const embeddedConsume = await consumeSection(ctx);
  await latencySection(ctx);
  await jetStreamSection(ctx, embeddedPublish, embeddedConsume);
  await mediaSection(ctx, quick);
  await adapterSections(ctx, quick);
}

type HostContext = Pick<BenchContext, 'dir' | 'emit'>;

async function jobsSection(ctx: HostContext, quick: boolean): Promise<void> {
  ctx.emit(await runHostSection({ name: 'jobs', dir: join(ctx.dir, 'jobs'), quick }));
}

async function catalogSection(ctx: HostContext, quick: boolean): Promise<void> {
  ctx.emit(await runHostSection({ name: 'catalog', dir: ctx.dir, quick }));
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const sizes = flags.quick ? QUICK_SIZES : DEFAULT_SIZES;
  const dir = mkdtempSync(join(tmpdir(), 'eventyard-bench-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // 'exit' also runs after an uncaught error (e.g. EPIPE when piped into head).
  process.once('exit', removeDir);
  process.once('SIGINT', () => process.exit(130));
  const report: BenchReport = {
    command: `npm run bench${flags.quick || flags.json ? ' --' : ''}${flags.quick ? ' --quick' : ''}${flags.json ? ' --json' : ''}`,
    machine: {
      node: process.version,
      platform: platform(),
      arch: arch(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      loadAverage: loadavg()[0]!,
    },
    quick: flags.quick,
    sizes,
    sections: [],
  };
  const emit = (section: Section) => {
    report.sections.push(section);
    if (!flags.json) console.log(`\n${renderSection(section)}`);
  };
  if (!flags.json) console.log(renderHeader(report));
  try {
    await eventSections(
      {
        dir,
        emit,
        sizes,
        events: benchEvents(sizes.publishEvents),
        warmup: benchEvents(sizes.warmupEvents, sizes.publishEvents),
      },
      flags.quick,
    );
    // Sections 10 and 11 each run their host in a fresh process (host-section.ts).
    await jobsSection({ dir, emit }, flags.quick);
    await catalogSection({ dir, emit }, flags.quick);
  } finally {
    removeDir();
  }
  if (flags.json) console.log(renderJson(report));
}

await main();

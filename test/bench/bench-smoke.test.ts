/**
 * Keeps `npm run bench` from rotting: runs it with `--quick` (tiny sizes)
 * and checks that every section, ratio, target and latency line is printed,
 * that `--json` is one parseable document with the same content, and that
 * the bench leaves nothing in its temp dir. No figure is judged: speed is
 * not asserted in tests.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { enginesRequired, reachable } from '../support/engines.ts';
import { tempDir } from '../support/temp-dir.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

async function bench(args: string[], tmp: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
    cwd: root,
    env: { ...process.env, TMPDIR: tmp },
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** The bench's own leftovers in `tmp` (tsx keeps its compile cache there too). */
function benchLeftovers(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('eventyard-bench-'));
}

const FIGURE = String.raw`\d[\d,]*(\.\d+)?`;
const RATIO = String.raw`\d+\.\d\dx`;
const TARGET = String.raw`  \(target >= 0\.5x: (PASS|FAIL)\)`;

const EMBEDDED_LINES = [
  /^== 1\. Durable publish, 1 KiB events.* ==$/,
  /^== 2\. Same events, raw better-sqlite3 batched inserts.* ==$/,
  /^== 3\. Consume [\d,]+ pre-filled 1 KiB events ==$/,
  /^== 4\. End-to-end latency.* ==$/,
  /^== 5\. Same events, raw NATS JetStream.* ==$/,
  /^== 6\. Media: thumbnails end to end through S3, and a raw sharp loop ==$/,
  new RegExp(
    `^media end to end \\(S3 upload -> thumbnail stored, record updated\\).*\\s${FIGURE}$`,
  ),
  new RegExp(`^raw sharp thumbnails, .*\\s${FIGURE}$`),
  new RegExp(`^ratio media end to end/raw sharp: ${RATIO}$`),
  ...['default', 'fsync'].flatMap((mode) => [
    new RegExp(`^eventyard publish, one caller, ${mode} .*\\s${FIGURE}$`),
    new RegExp(`^eventyard publish, 32 callers, ${mode} .*\\s${FIGURE}$`),
    new RegExp(`^raw better-sqlite3 insert, batch of 1, ${mode} .*\\s${FIGURE}$`),
    new RegExp(`^raw better-sqlite3 insert, batch of 32, ${mode} .*\\s${FIGURE}$`),
    new RegExp(`^ratio eventyard/raw publish, one caller vs batch of 1, ${mode}: ${RATIO}$`),
    new RegExp(
      `^ratio eventyard/raw publish, 32 callers vs batch of 32, ${mode}: ${RATIO}${TARGET}$`,
    ),
    new RegExp(`^ratio eventyard/raw-without-checkpoints publish, 32 callers, ${mode}: ${RATIO}$`),
  ]),
  /^target concurrent durable publish \(32 callers, default\) >= 100,000 events\/s: (PASS|FAIL) \([\d,]+\)$/,
  new RegExp(`^eventyard consume, one group, default policy\\s.*\\s${FIGURE}$`),
  new RegExp(`^raw better-sqlite3 read, batches of 512, JSON.parse\\s.*\\s${FIGURE}$`),
  new RegExp(`^ratio eventyard/raw consume: ${RATIO}$`),
  /^target consume >= 100,000 events\/s: (PASS|FAIL) \([\d,]+\)$/,
  /^latency p50 \d+\.\d\d ms, p99 \d+\.\d\d ms$/,
  /^== 10\. Jobs: POST \/ptc-file-processor\/job\/image under load.* ==$/,
  new RegExp(`^POST job/image at 500 req/s, .*: accepted \\(201\\)\\s.*\\s${FIGURE}$`),
  new RegExp(`^POST job/image, no rate limit, .*: accepted \\(201\\)\\s.*\\s${FIGURE}$`),
  new RegExp(`^jobs end to end \\(POST -> SUCCESS\\), .*\\s${FIGURE}$`),
  new RegExp(`^raw fastify \\(decode, MD5, file written, SQLite insert\\), .*\\s${FIGURE}$`),
  new RegExp(`^ratio eventyard/raw POST job/image, no rate limit: ${RATIO}$`),
  /^note: target POST job\/image p99 at 500 req\/s < 20 ms: (PASS|FAIL) \(\d+\.\d\d\)$/,
  /^== 11\. Catalog: commands through validator, persister, materializer to the query API ==$/,
  new RegExp(`^1000 commands/s, .*: accepted \\(202\\)\\s.*\\s${FIGURE}$`),
  new RegExp(`^1000 commands/s, .*: visible in the query API .*\\s${FIGURE}$`),
  new RegExp(`^no rate limit, .*: accepted \\(202\\)\\s.*\\s${FIGURE}$`),
  new RegExp(`^no rate limit, .*: visible in the query API .*\\s${FIGURE}$`),
  new RegExp(`^1000 commands/s, .*: 202 -> visible in the query API\\s.*\\s${FIGURE}$`),
  /^note: target command -> visible in the query API p99 at 1000 commands\/s < 50 ms: (PASS|FAIL) \(\d+\.\d\d\)$/,
];

const JETSTREAM_LINES = [
  new RegExp(`^raw JetStream publish, 32 callers.*\\s${FIGURE}$`),
  new RegExp(`^raw JetStream consume, durable pull.*\\s${FIGURE}$`),
  new RegExp(`^ratio eventyard-embedded/raw-JetStream publish, 32 callers: ${RATIO}$`),
  new RegExp(`^ratio eventyard-embedded/raw-JetStream consume: ${RATIO}$`),
];

/** Each server broker adapter beside its raw client: both ratios, with the 0.9x floor. */
const ADAPTER_LINES = [
  /^ratio eventyard-nats\/raw-JetStream publish: \d+\.\d\dx {2}\(target >= 0\.9x: (PASS|FAIL)\)$/,
  /^ratio eventyard-nats\/raw-JetStream consume: \d+\.\d\dx {2}\(target >= 0\.9x: (PASS|FAIL)\)$/,
  /^ratio eventyard-rabbitmq\/raw-amqplib publish: \d+\.\d\dx {2}\(target >= 0\.9x: (PASS|FAIL)\)$/,
  /^ratio eventyard-rabbitmq\/raw-amqplib consume: \d+\.\d\dx {2}\(target >= 0\.9x: (PASS|FAIL)\)$/,
  /^ratio eventyard\/raw redis publish: \d+\.\d\dx {2}\(target >= 0\.9x: (PASS|FAIL)\)$/,
  /^ratio eventyard\/raw redis consume: \d+\.\d\dx {2}\(target >= 0\.9x: (PASS|FAIL)\)$/,
];

function assertLines(output: string, patterns: readonly RegExp[]): void {
  const lines = output.split('\n');
  for (const pattern of patterns) {
    assert.ok(
      lines.some((line) => pattern.test(line)),
      `no line matches ${pattern}\n--- output ---\n${output}`,
    );
  }
}

test('npm run bench -- --quick prints every section, ratio and target line and cleans up', async () => {
  const tmp = tempDir('eventyard-bench-smoke-');
  try {
    const natsUp = await reachable('127.0.0.1', 4222);
    const output = await bench(['--quick'], tmp.path);
    assertLines(output, EMBEDDED_LINES);
    if (enginesRequired()) assertLines(output, ADAPTER_LINES);
    if (natsUp || enginesRequired()) {
      assertLines(output, JETSTREAM_LINES);
    } else {
      assertLines(output, [/^SKIP nats not reachable at nats:\/\/127\.0\.0\.1:4222$/]);
    }
    assert.deepEqual(benchLeftovers(tmp.path), [], 'the bench left its temp dir behind');
  } finally {
    tmp.remove();
  }
});

test('npm run bench -- --quick --json prints one document with every section', async () => {
  const tmp = tempDir('eventyard-bench-smoke-');
  try {
    const report = JSON.parse(await bench(['--quick', '--json'], tmp.path)) as {
      quick: boolean;
      sections: Array<{
        title: string;
        skipped?: string;
        throughputs: Array<{ name: string; events: number; eventsPerSecond: number }>;
        latencies: Array<{ p50Ms: number; p99Ms: number; events: number }>;
        ratios: Array<{ name: string; value: number }>;
      }>;
    };
    assert.equal(report.quick, true);
    assert.deepEqual(
      report.sections.map((s) => s.title.split('.')[0]),
      ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11'],
    );
    const ran = report.sections.filter((s) => s.skipped === undefined);
    for (const t of ran.flatMap((s) => s.throughputs)) {
      assert.ok(t.events > 0 && t.eventsPerSecond > 0, `${t.name} measured nothing`);
    }
    for (const r of ran.flatMap((s) => s.ratios)) {
      assert.ok(Number.isFinite(r.value) && r.value > 0, `${r.name} is ${r.value}`);
    }
    const [latency] = report.sections[3]!.latencies;
    assert.ok(latency && latency.events > 0 && latency.p99Ms >= latency.p50Ms);
    assert.deepEqual(benchLeftovers(tmp.path), []);
  } finally {
    tmp.remove();
  }
});

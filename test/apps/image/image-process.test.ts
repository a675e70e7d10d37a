import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ImageError } from '../../../src/apps/image/image-error.ts';
import { ImageProcess } from '../../../src/apps/image/image-process.ts';
import { EngineError, PermanentError } from '../../../src/core/errors.ts';
import { photoJpeg } from '../../fixtures/media/images.ts';
import { waitFor } from '../../support/wait.ts';

const linux = process.platform === 'linux';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Field `n` of stat(5) of every thread of process `pid` (Linux). */
function threadStat(pid: number, n: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces, start at 3.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3]);
  });
}
const NICE = 19;
const POLICY = 41;
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

const normal = { nice: 0, idle: false };

test('a thumbnail is made in the child, whose every thread runs idle-class at the nice value asked for', async (t) => {
  const problems: string[] = [];
  const images = new ImageProcess({
    priority: { nice: 7, idle: true },
    onProblem: (problem) => problems.push(problem),
  });
  t.after(() => images.close());
  const photo = await photoJpeg({ width: 800, height: 600 });
  const thumbnail = await images.makeThumbnail(photo, { width: 200, height: 200, format: 'webp' });
  assert.ok(Buffer.isBuffer(thumbnail.data));
  assert.deepEqual(
    { format: thumbnail.format, width: thumbnail.width, height: thumbnail.height },
    { format: 'webp', width: 200, height: 150 },
  );
  const meta = await sharp(thumbnail.data).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 200, 150]);
  assert.notEqual(images.pid, process.pid);
  if (linux) {
    // After a thumbnail: libuv's pool and libvips's workers, started since, are in it too.
    const nices = threadStat(images.pid!, NICE);
    assert.ok(nices.length > 4, `the child has its threads (${nices.length})`);
    assert.deepEqual(new Set(nices), new Set([7]), `every thread at nice 7: ${nices.join(',')}`);
    const policies = threadStat(images.pid!, POLICY);
    assert.deepEqual(new Set(policies), new Set([SCHED_IDLE]), `policies ${policies.join(',')}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(threadStat(process.pid, POLICY)[0], SCHED_OTHER, 'the parent is as it was');
  }
});

test('a child asked for the normal class stays in it', { skip: !linux }, async (t) => {
  const images = new ImageProcess({ priority: normal, onProblem: () => {} });
  t.after(() => images.close());
  await images.makeThumbnail(await photoJpeg({ width: 64, height: 48 }), { width: 32 });
  assert.deepEqual(new Set(threadStat(images.pid!, POLICY)), new Set([SCHED_OTHER]));
  assert.deepEqual(new Set(threadStat(images.pid!, NICE)), new Set([0]));
});

test('where the idle class cannot be set, the child says why and makes images at its nice value', {
  skip: !linux,
}, async (t) => {
  const problems: string[] = [];
  // As on a system without util-linux: no chrt on the child's PATH.
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  t.after(() => {
    process.env.PATH = path;
  });
  const images = new ImageProcess({
    priority: { nice: 5, idle: true },
    onProblem: (problem) => problems.push(problem),
  });
  t.after(() => images.close());
  await images.start();
  process.env.PATH = path;
  const thumbnail = await images.makeThumbnail(await photoJpeg({ width: 64, height: 48 }), {
    width: 32,
  });
  assert.equal(thumbnail.width, 32);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /idle scheduling class with chrt/);
  assert.deepEqual(new Set(threadStat(images.pid!, NICE)), new Set([5]));
  assert.deepEqual(new Set(threadStat(images.pid!, POLICY)), new Set([SCHED_OTHER]));
});

test('an image at fault is an ImageError with its reason, as in the same process', async (t) => {
  const images = new ImageProcess({ priority: normal, onProblem: () => {} });
  t.after(() => images.close());
  await assert.rejects(
    images.makeThumbnail(Buffer.from('not an image at all')),
    (error: unknown) =>
      error instanceof ImageError &&
      error instanceof PermanentError &&
      error.reason === 'not-an-image',
  );
});

test('a child killed with images in work fails them as passing errors; the next image starts a new child', async (t) => {
  const images = new ImageProcess({ priority: normal, onProblem: () => {} });
  t.after(() => images.close());
  await images.start();
  const first = images.pid!;
  const photo = await photoJpeg({ width: 1600, height: 1200 });
  const inWork = Array.from({ length: 3 }, () =>
    images.makeThumbnail(photo, { width: 1000, height: 1000, format: 'avif' }),
  );
  // Once they are handed over (a kill before that fails them as not handed over: EPIPE).
  await new Promise((resolve) => setImmediate(resolve));
  process.kill(first, 'SIGKILL');
  for (const work of inWork) {
    await assert.rejects(work, (error: unknown) => {
      assert.ok(error instanceof EngineError, String(error));
      assert.ok(!(error instanceof PermanentError));
      assert.match(error.message, /image process ended \(signal SIGKILL\)/);
      return true;
    });
  }
  const again = await images.makeThumbnail(photo, { width: 100, height: 100 });
  assert.equal(again.width, 100);
  assert.notEqual(images.pid, first, 'a new child');
});

test('close lets the images in work finish, then ends the child; later images are made in this process', async () => {
  const images = new ImageProcess({ priority: normal, onProblem: () => {} });
  await images.start();
  const pid = images.pid!;
  const photo = await photoJpeg({ width: 1600, height: 1200 });
  const inWork = images.makeThumbnail(photo, { width: 800, height: 800, format: 'avif' });
  await images.close();
  assert.equal((await inWork).width, 800, 'the image in work was finished');
  assert.ok(!alive(pid), 'the child ended');
  const after = await images.makeThumbnail(photo, { width: 100, height: 100 });
  assert.equal(after.width, 100);
  assert.equal(images.pid, undefined, 'no child was started again');
});

test('the child ends by itself when its parent is killed', async (t) => {
  const parent = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fixtures/image-parent.ts', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.after(() => parent.kill('SIGKILL'));
  let output = '';
  parent.stdout.on('data', (chunk) => {
    output += chunk;
  });
  await waitFor('the child pid', () => output.includes('\n'), 20_000);
  const child = Number(output.trim());
  assert.ok(alive(child));
  parent.kill('SIGKILL');
  await waitFor('the orphaned child to exit', () => !alive(child), 10_000);
});

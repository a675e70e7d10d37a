import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { describe, test } from 'node:test';
import { lowerImageThreads } from '../../../src/apps/image/thread-priority.ts';
import { makeThumbnail } from '../../../src/apps/image/thumbnail.ts';
import { photoJpeg } from '../../fixtures/media/images.ts';

/** Thread ids of this process whose name is `name`. */
function threadsNamed(name: string): number[] {
  return readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => {
      try {
        return readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    });
}

describe('lowerImageThreads', { skip: process.platform !== 'linux' && 'Linux only' }, () => {
  test('given libvips threads at work, when lowered to nice 7, then they run at 7 and every other thread keeps its priority', async () => {
    await makeThumbnail(await photoJpeg({ width: 800, height: 600 }), { width: 200, height: 200 });
    const vips = threadsNamed('libvips worker');
    assert.ok(vips.length > 0, 'sharp started no libvips threads');
    const others = readdirSync('/proc/self/task')
      .map(Number)
      .filter((tid) => !vips.includes(tid));
    const before = new Map(others.map((tid) => [tid, getPriority(tid)]));
    const problems: string[] = [];
    const priority = lowerImageThreads(7, (problem) => problems.push(problem));
    try {
      assert.deepEqual(problems, []);
      assert.equal(priority.lowered, vips.length);
      for (const tid of vips) assert.equal(getPriority(tid), 7, `libvips thread ${tid}`);
      for (const [tid, nice] of before) {
        if (threadsNamed('libvips worker').includes(tid)) continue;
        assert.equal(getPriority(tid), nice, `thread ${tid} was changed`);
      }
      assert.equal(getPriority(process.pid), before.get(process.pid));
    } finally {
      priority.stop();
    }
  });

  test('given threads lowered to 9, when another app asks for 4, then they stay at 9 (a priority is only ever lowered)', async () => {
    await makeThumbnail(await photoJpeg({ width: 400, height: 300 }), { width: 100, height: 100 });
    const first = lowerImageThreads(9, () => {});
    const second = lowerImageThreads(4, () => {});
    try {
      const vips = threadsNamed('libvips worker');
      assert.ok(vips.length > 0);
      for (const tid of vips) assert.equal(getPriority(tid), 9, `libvips thread ${tid}`);
    } finally {
      first.stop();
      second.stop();
    }
  });

  test('given nice 0, when asked, then no thread is touched', async () => {
    const priority = lowerImageThreads(0, () => assert.fail('no problem expected'));
    assert.equal(priority.lowered, 0);
    priority.stop();
  });
});

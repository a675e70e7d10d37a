import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestSlots } from '../../../../src/adapters/storage/s3/request-slots.ts';

test('at most `size` run at once; the rest start in order as slots free up', async () => {
  const slots = new RequestSlots(2);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const runs = Array.from({ length: 7 }, (_, i) =>
    slots.run(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5 + (i % 3)));
      running--;
      if (i === 3) throw new Error('failed work frees its slot');
      return i;
    }),
  );
  const results = await Promise.allSettled(runs);
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
  assert.equal(await slots.run(async () => 'free again'), 'free again');
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { uniqueName } from '../support/names.ts';
import { delay, waitFor } from '../support/wait.ts';
import { linesOf, randomBetween, spawnChild } from './crash-process.ts';
import { events, names, recorder, type SuiteContext } from './suite-context.ts';

const ROUNDS = Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 20);

export function crashContract(ctx: SuiteContext): void {
  test(`an event whose publish resolved survives kill -9 (${ROUNDS} rounds)`, {
    timeout: 180_000,
  }, async (t) => {
    const broker = await ctx.broker(t);
    const { topic } = names('crash-publish');
    const outFile = join(ctx.scope, `${uniqueName('published')}.log`);
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawnChild({
        moduleUrl: ctx.target.moduleUrl,
        scope: ctx.scope,
        role: 'publish',
        topic,
        group: '-',
        outFile,
      });
      await child.ready;
      await delay(randomBetween(20, 400));
      await child.kill();
      const stored = new Set<string>();
      const offsets = new Set<number>();
      for await (const s of broker.read(topic, { from: 'earliest' })) {
        stored.add(s.event.id);
        offsets.add(s.offset);
      }
      const acknowledged = linesOf(outFile);
      const missing = acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(missing, [], `round ${round}: ${missing.length} resolved publishes lost`);
      assert.equal(offsets.size, stored.size, `round ${round}: an offset was used twice`);
    }
    assert.ok(linesOf(outFile).length > ROUNDS, 'the children published almost nothing');
  });

  test(`every event is handled at least once across kill -9 of consumers (${ROUNDS} rounds)`, {
    timeout: 180_000,
  }, async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('crash-consume');
    const outFile = join(ctx.scope, `${uniqueName('handled')}.log`);
    const published: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const batch = events(150);
      await broker.publish(topic, batch);
      published.push(...batch.map((e) => e.id));
      const child = spawnChild({
        moduleUrl: ctx.target.moduleUrl,
        scope: ctx.scope,
        role: 'consume',
        topic,
        group,
        outFile,
      });
      await child.ready;
      await delay(randomBetween(0, 150));
      await child.kill();
    }
    const rest = await recorder(broker, { topic, group });
    await waitFor(
      'every event handled at least once',
      () => {
        const handled = new Set([...linesOf(outFile), ...rest.seen.map((e) => e.id)]);
        return published.every((id) => handled.has(id));
      },
      60_000,
      50,
    );
  });

  test('events a killed consumer held unacknowledged are redelivered to the group', {
    timeout: 120_000,
  }, async (t) => {
    const broker = await ctx.broker(t);
    const { topic, group } = names('crash-unacked');
    const outFile = join(ctx.scope, `${uniqueName('received')}.log`);
    const batch = events(10);
    await broker.publish(topic, batch);
    const child = spawnChild({
      moduleUrl: ctx.target.moduleUrl,
      scope: ctx.scope,
      role: 'consume-hang',
      topic,
      group,
      outFile,
    });
    await child.ready;
    await waitFor('the child received events', () => linesOf(outFile).length >= 4, 20_000);
    // Long enough for the child to commit its group position (a wrong one would skip the held events).
    await delay(700);
    await child.kill();
    const received = linesOf(outFile);
    const { seen } = await recorder(broker, { topic, group });
    await waitFor('redelivery', () => seen.length >= batch.length, 60_000, 50);
    const redelivered = new Set(seen.map((e) => e.id));
    for (const id of received)
      assert.ok(redelivered.has(id), `unacked event ${id} was not redelivered`);
    assert.deepEqual([...redelivered].sort(), batch.map((e) => e.id).sort());
  });
}

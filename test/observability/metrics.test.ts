import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { BrokerMetrics } from '../../src/observability/metrics.ts';

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('BrokerMetrics', () => {
  it('counts published, consumed, retried and dead-lettered events by topic and group', async () => {
    const registry = new Registry();
    const metrics = new BrokerMetrics(registry, { processMetrics: false });
    metrics.published('orders', 3);
    metrics.published('orders', 2);
    metrics.consumed('orders', 'billing');
    metrics.retried('orders', 'billing');
    metrics.retried('orders', 'billing');
    metrics.deadLettered('orders', 'shipping');
    metrics.tried('orders', 'billing', true, 0.002);
    metrics.tried('orders', 'billing', false, 0.3);
    const text = await registry.metrics();
    assert.equal(sample(text, 'eventyard_events_published_total', 'topic="orders"'), 5);
    assert.equal(
      sample(text, 'eventyard_events_consumed_total', 'topic="orders",group="billing"'),
      1,
    );
    assert.equal(
      sample(text, 'eventyard_handler_retries_total', 'topic="orders",group="billing"'),
      2,
    );
    assert.equal(
      sample(text, 'eventyard_dead_letters_total', 'topic="orders",group="shipping"'),
      1,
    );
    assert.equal(
      sample(
        text,
        'eventyard_handler_duration_seconds_count',
        'topic="orders",group="billing",outcome="error"',
      ),
      1,
    );
    assert.equal(
      sample(
        text,
        'eventyard_handler_duration_seconds_bucket',
        'le="0.005",topic="orders",group="billing",outcome="ok"',
      ),
      1,
    );
  });

  it('reads group lag at each scrape, and survives a failing read', async () => {
    const registry = new Registry();
    const metrics = new BrokerMetrics(registry, { processMetrics: false });
    let lag = 7;
    let fail = false;
    metrics.watchLag(async () => {
      if (fail) throw new Error('closed');
      return [
        {
          topic: 'orders',
          group: 'billing',
          position: 1,
          lag,
          consumeRate: 0,
          active: true,
          deadLettered: 0,
        },
      ];
    });
    assert.equal(
      sample(await registry.metrics(), 'eventyard_group_lag', 'topic="orders",group="billing"'),
      7,
    );
    lag = 0;
    assert.equal(
      sample(await registry.metrics(), 'eventyard_group_lag', 'topic="orders",group="billing"'),
      0,
    );
    fail = true;
    const text = await registry.metrics();
    assert.equal(sample(text, 'eventyard_group_lag', 'topic="orders",group="billing"'), undefined);
  });

  it('keeps counts apart per registry, and adds process metrics by default', async () => {
    const a = new Registry();
    const b = new Registry();
    const first = new BrokerMetrics(a);
    new BrokerMetrics(b);
    first.published('orders', 1);
    const textB = await b.metrics();
    assert.equal(
      sample(await a.metrics(), 'eventyard_events_published_total', 'topic="orders"'),
      1,
    );
    assert.equal(sample(textB, 'eventyard_events_published_total', 'topic="orders"'), undefined);
    assert.match(textB, /^process_cpu_user_seconds_total /m);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { createEvent } from '../../src/core/envelope.ts';
import { PermanentError } from '../../src/core/errors.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { BrokerMetrics } from '../../src/observability/metrics.ts';
import { type Engines, openEngines } from '../../src/runtime/engines.ts';
import { buildHttpApp } from '../../src/runtime/http-app.ts';
import { uniqueName } from '../support/names.ts';
import { tempDir } from '../support/temp-dir.ts';
import { waitFor } from '../support/wait.ts';
import { testConfig } from './test-config.ts';

const CE_JSON = { 'content-type': 'application/cloudevents+json' };

describe('HTTP app', () => {
  const dir = tempDir();
  let engines: Engines;
  let http: FastifyInstance;

  before(async () => {
    const config = testConfig(dir.path);
    const registry = new Registry();
    engines = await openEngines(config, {
      observer: new BrokerMetrics(registry, { processMetrics: false }),
    });
    http = await buildHttpApp({
      engines,
      registry,
      logger: createLogger(config),
    });
    // Routes as a service registers them: one with a JSON schema, one with a bug.
    http.post(
      '/echo',
      {
        schema: {
          body: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string' },
              tags: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
      async (request) => request.body,
    );
    http.get('/buggy', async () => {
      throw new Error('connection string postgres://user:secret@db');
    });
  });
  after(async () => {
    await http.close();
    await engines.close().catch(() => {});
    dir.remove();
  });

  const publish = (topic: string, payload: unknown, headers: Record<string, string> = CE_JSON) =>
    http.inject({
      method: 'POST',
      url: `/api/topics/${topic}/events`,
      headers,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  describe('errors', () => {
    it('answers invalid JSON with 400 EY_VALIDATION', async () => {
      const response = await publish('orders', '{"specversion": "1.0",');
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.code, 'EY_VALIDATION');
      const replay = await http.inject({
        method: 'POST',
        url: '/api/topics/orders/dead-letters/replay',
        headers: { 'content-type': 'application/json' },
        payload: '{nope',
      });
      assert.equal(replay.statusCode, 400);
      assert.equal(replay.json().error.code, 'EY_VALIDATION');
    });

    it('answers an invalid envelope with 400 naming the field', async () => {
      const event = createEvent({ type: 'order.placed', data: {} });
      const response = await publish('orders', { ...event, source: 42 });
      assert.equal(response.statusCode, 400);
      const { error } = response.json();
      assert.equal(error.code, 'EY_VALIDATION');
      assert.equal(error.path, 'source');
      assert.match(error.message, /source/);
    });

    it('answers a bad topic name with 400', async () => {
      const response = await publish('bad..topic', createEvent({ type: 't', data: 1 }));
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.path, 'topic');
      const read = await http.inject({ method: 'GET', url: '/api/topics/%20x/events' });
      assert.equal(read.statusCode, 400);
      assert.equal(read.json().error.code, 'EY_VALIDATION');
    });

    it('answers a body over the 1 MiB limit with 413 EY_TOO_LARGE', async () => {
      const big = createEvent({ type: 't', data: 'x'.repeat(1024 * 1024) });
      const response = await publish('orders', big);
      assert.equal(response.statusCode, 413);
      assert.equal(response.json().error.code, 'EY_TOO_LARGE');
    });

    it('answers an unknown route with 404 EY_NOT_FOUND', async () => {
      const response = await http.inject({ method: 'GET', url: '/no/such/route?x=1' });
      assert.equal(response.statusCode, 404);
      assert.deepEqual(response.json().error, {
        code: 'EY_NOT_FOUND',
        message: 'no route GET /no/such/route',
        path: '/no/such/route',
      });
    });

    it('answers an unreadable media type with 415', async () => {
      const response = await publish('orders', 'hello', { 'content-type': 'text/plain' });
      assert.equal(response.statusCode, 415);
      assert.equal(response.json().error.code, 'EY_UNSUPPORTED_MEDIA_TYPE');
    });

    it('answers bad query parameters with 400 naming them', async () => {
      const response = await http.inject({
        method: 'GET',
        url: '/api/topics/orders/events?limit=5000',
      });
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().error.path, 'limit');
      const from = await http.inject({ method: 'GET', url: '/api/topics/orders/events?from=soon' });
      assert.equal(from.statusCode, 400);
      assert.equal(from.json().error.path, 'position');
      const replay = await http.inject({
        method: 'POST',
        url: '/api/topics/orders/dead-letters/replay',
        payload: { ids: 'e-1' },
      });
      assert.equal(replay.statusCode, 400);
      assert.equal(replay.json().error.path, 'ids');
    });

    it("maps a route's schema errors, media types and bugs the same way", async () => {
      const missing = await http.inject({ method: 'POST', url: '/echo', payload: {} });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().error.code, 'EY_VALIDATION');
      assert.equal(missing.json().error.path, 'name');
      const wrong = await http.inject({
        method: 'POST',
        url: '/echo',
        payload: { name: 'a', tags: [1, {}] },
      });
      assert.equal(wrong.json().error.path, 'tags.1');
      const text = await http.inject({
        method: 'POST',
        url: '/echo',
        headers: { 'content-type': 'text/csv' },
        payload: 'a,b',
      });
      assert.equal(text.statusCode, 415);
      assert.equal(text.json().error.code, 'EY_UNSUPPORTED_MEDIA_TYPE');
      assert.match(text.json().error.message, /text\/csv/);
      const bug = await http.inject({ method: 'GET', url: '/buggy' });
      assert.equal(bug.statusCode, 500);
      assert.deepEqual(bug.json(), { error: { code: 'EY_INTERNAL', message: 'internal error' } });
    });

    it('refuses publishing straight to a dead-letter topic', async () => {
      const response = await publish('orders.dlq', createEvent({ type: 't', data: 1 }));
      assert.equal(response.statusCode, 400);
    });
  });

  describe('events API', () => {
    it('publishes in every mode and reads the events back from an offset', async () => {
      const topic = uniqueName('modes');
      const structured = await publish(topic, createEvent({ type: 'a', data: 1 }));
      assert.equal(structured.statusCode, 201);
      const batch = await publish(
        topic,
        [createEvent({ type: 'b', data: 2 }), createEvent({ type: 'c', data: 3 })],
        { 'content-type': 'application/cloudevents-batch+json' },
      );
      assert.equal(batch.statusCode, 201);
      assert.equal(batch.json().ids.length, 2);
      const binary = await publish(topic, '{"d":4}', {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': 'bin-1',
        'ce-source': '/curl',
        'ce-type': 'd',
      });
      assert.deepEqual(binary.json().ids, ['bin-1']);
      const plain = await publish(topic, { e: 5 }, { 'content-type': 'application/json' });
      assert.equal(plain.statusCode, 400);
      const typed = await http.inject({
        method: 'POST',
        url: `/api/topics/${topic}/events?type=e&key=k`,
        payload: { e: 5 },
      });
      assert.equal(typed.statusCode, 201);
      const offsets = [structured, batch, binary, typed].flatMap((r) => r.json().offsets);
      assert.equal(new Set(offsets).size, 5);

      const all = await http.inject({ method: 'GET', url: `/api/topics/${topic}/events` });
      assert.deepEqual(
        all.json().events.map((stored: { event: { type: string } }) => stored.event.type),
        ['a', 'b', 'c', 'd', 'e'],
      );
      const page = await http.inject({
        method: 'GET',
        url: `/api/topics/${topic}/events?from=${offsets[2]}&limit=2`,
      });
      const body = page.json();
      assert.deepEqual(
        body.events.map((stored: { event: { type: string } }) => stored.event.type),
        ['c', 'd'],
      );
      assert.equal(body.next, offsets[4]);
      const topics = (await http.inject({ method: 'GET', url: '/api/topics' })).json().topics;
      assert.ok(topics.some((info: { topic: string }) => info.topic === topic));
    });

    it('delays delivery when asked, without losing the event', async () => {
      const topic = uniqueName('delayed');
      const response = await publish(topic, createEvent({ type: 'later', data: 1 }), {
        'content-type': 'application/cloudevents+json',
      });
      assert.equal(response.statusCode, 201);
      const delayed = await http.inject({
        method: 'POST',
        url: `/api/topics/${topic}/events?delayMs=60000`,
        headers: CE_JSON,
        payload: JSON.stringify(createEvent({ type: 'later', data: 2 })),
      });
      assert.equal(delayed.statusCode, 201);
      assert.deepEqual(delayed.json().offsets, [null]);
    });

    it('lists groups, dead letters, and replays them', async () => {
      const topic = uniqueName('dlq');
      const group = uniqueName('g');
      let fail = true;
      const handled: string[] = [];
      const subscription = await engines.broker.subscribe({
        topic,
        group,
        handler: (event) => {
          if (fail) throw new PermanentError('not yet');
          handled.push(event.id);
        },
      });
      const id = (await publish(topic, createEvent({ type: 'x', data: 1 }))).json().ids[0];
      const letters = await waitFor('a dead letter', async () => {
        const response = await http.inject({
          method: 'GET',
          url: `/api/topics/${topic}/dead-letters?group=${group}`,
        });
        const list = response.json().deadLetters;
        return list.length > 0 ? list : undefined;
      });
      assert.equal(letters[0].event.id, id);
      assert.equal(letters[0].code, 'EY_PERMANENT');
      const groups = (
        await http.inject({ method: 'GET', url: `/api/groups?topic=${topic}` })
      ).json().groups;
      assert.deepEqual(
        groups.map((g: { group: string; deadLettered: number }) => [g.group, g.deadLettered]),
        [[group, 1]],
      );
      fail = false;
      const replay = await http.inject({
        method: 'POST',
        url: `/api/topics/${topic}/dead-letters/replay`,
        payload: { group, ids: [id] },
      });
      assert.deepEqual(replay.json(), { replayed: 1 });
      await waitFor('the replayed event', () => handled.includes(id));
      await subscription.close();
    });
  });

  describe('health and metrics', () => {
    it('serves prometheus text on /metrics', async () => {
      const topic = uniqueName('counted');
      await publish(topic, createEvent({ type: 'x', data: 1 }));
      const response = await http.inject({ method: 'GET', url: '/metrics' });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /text\/plain/);
      assert.ok(
        response.body.includes(`eventyard_events_published_total{topic="${topic}"} 1`),
        response.body,
      );
    });

    // Last: it closes the engines.
    it('says 200 while the engines work and 503 naming the engine once they do not', async () => {
      const ok = await http.inject({ method: 'GET', url: '/health' });
      assert.equal(ok.statusCode, 200);
      assert.equal(ok.json().status, 'ok');
      assert.deepEqual(
        ok.json().engines.map((engine: { name: string }) => engine.name),
        ['broker', 'store', 'objects'],
      );
      await engines.close();
      const down = await http.inject({ method: 'GET', url: '/health' });
      assert.equal(down.statusCode, 503);
      assert.match(down.json().error.message, /broker \(embedded\)/);
    });
  });
});

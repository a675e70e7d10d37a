/**
 * The catalog of seed 001 as separate processes (api, validator, two
 * persisters sharing their group, materializer) on NATS JetStream,
 * PostgreSQL and an S3 server, driven over real HTTP with the seed's
 * requests: creates, updates and deletes show in the query API, rule
 * violations are the command's outcome, concurrent updates of one entity
 * each get one outcome and versions 1..n, every entity's history is
 * contiguous, and `eventyard catalog rebuild`, run beside the deployment
 * with the materializer stopped, yields the read models that were.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPostgres } from '../../adapters/postgres/fixtures/postgres-scope.ts';
import { jsonLines, runCli } from '../../cli/cli-process.ts';
import { consumedBy } from '../../support/service-process.ts';
import { natsBroker } from '../media/scale-out/brokers.ts';
import type { Accepted, Outcome } from './catalog-host.ts';
import { type CatalogDeployment, deployCatalog } from './scale-out-deployment.ts';

/** The seed's example body for `POST /entries/{id}`. */
const SEED_ENTRY = {
  title: 'My Entry',
  src: 'http://s3.aws.com/1.png',
  description: 'This describes my entry pretty well.',
};
const CONCURRENT = 16;
/** Entities created at once: enough keys that both persisters' partitions get some. */
const CREATES = 12;

interface Versioned {
  readonly id: string;
  readonly version: number;
}

describe('catalog as separate processes on NATS + PostgreSQL + S3', async () => {
  const skip = (await natsBroker.skip()) ?? (await skipUnlessPostgres());
  let d: CatalogDeployment;
  /** Every entity a test touched, for the history and rebuild checks. */
  const touched = { entries: new Set<string>(), assets: new Set<string>() };

  before(async () => {
    if (!skip) d = await deployCatalog();
  });
  after(async () => {
    await d?.close();
  });

  /** Sends a command, waits for its effect to be visible, and fails with every log if it is not. */
  async function command(method: string, path: string, body?: unknown) {
    const outcome = await d.client.command(method, path, body);
    const kind = path.startsWith('/entries') ? touched.entries : touched.assets;
    kind.add(outcome.entityId);
    assert.notEqual(outcome.status, 'pending', `${method} ${path} undecided\n${d.logs()}`);
    assert.equal(outcome.visible, true, `${method} ${path} not visible\n${d.logs()}`);
    return outcome;
  }

  async function accepted(method: string, path: string, body?: unknown) {
    const outcome = await command(method, path, body);
    assert.equal(outcome.status, 'accepted', JSON.stringify(outcome.reason));
    return outcome;
  }

  /** A rejection, as the outcome URL shows it without waiting. */
  async function rejected(code: string, method: string, path: string, body?: unknown) {
    const outcome = await command(method, path, body);
    const shown = (await d.client.request<Outcome>('GET', `/commands/${outcome.commandId}`)).body;
    assert.equal(shown.status, 'rejected', JSON.stringify(shown));
    assert.equal(shown.reason?.code, code);
    assert.ok(shown.reason?.message, 'a rejection says why');
    assert.equal(shown.reason?.field, code === 'entry_not_found' ? 'body.entryId' : 'params.id');
    assert.equal(shown.version, null);
  }

  test("the seed's entry is created, updated with its example body, and deleted", {
    skip,
  }, async () => {
    const created = await accepted('POST', '/entries', { title: 'Draft', src: SEED_ENTRY.src });
    assert.equal(created.version, 1);
    const id = created.entityId;
    const updated = await accepted('POST', `/entries/${id}`, SEED_ENTRY);
    assert.equal(updated.version, 2);
    const shown = await d.client.request('GET', `/entries/${id}`);
    assert.deepEqual(shown.body, {
      id,
      ...SEED_ENTRY,
      version: 2,
      createdAt: shown.body.createdAt,
      updatedAt: shown.body.updatedAt,
    });
    assert.equal((await accepted('DELETE', `/entries/${id}`)).version, 3);
    assert.equal((await d.client.request('GET', `/entries/${id}`)).status, 404);
    const history = (await d.client.request('GET', `/entries/${id}/events`)).body.items;
    assert.deepEqual(
      history.map((e: { type: string }) => e.type),
      ['entryCreated', 'entryUpdated', 'entryDeleted'],
    );
  });

  test('assets are created, moved and deleted under live entries', { skip }, async () => {
    const entry = (await accepted('POST', '/entries', SEED_ENTRY)).entityId;
    const other = (await accepted('POST', '/entries', { title: 'Other', src: SEED_ENTRY.src }))
      .entityId;
    const body = { title: 'Cover', src: 'https://s3.aws.com/c.png', contentType: 'image/png' };
    const asset = (await accepted('POST', '/assets', { ...body, entryId: entry })).entityId;
    assert.equal((await d.client.request('GET', `/assets/${asset}`)).body.entryId, entry);
    const moved = await accepted('POST', `/assets/${asset}`, { ...body, entryId: other });
    assert.equal(moved.version, 2);
    const byEntry = (await d.client.request('GET', `/assets?entryId=${other}`)).body.items;
    assert.deepEqual(
      byEntry.map((a: Versioned) => [a.id, a.version]),
      [[asset, 2]],
    );
    assert.deepEqual((await d.client.request('GET', `/assets?entryId=${entry}`)).body.items, []);
    // One asset stays, under `other`, for the rebuild to bring back.
    await accepted('POST', '/assets', { ...body, title: 'Kept', entryId: other });
    assert.equal((await accepted('DELETE', `/assets/${asset}`)).version, 3);
    assert.equal((await d.client.request('GET', `/assets/${asset}`)).status, 404);
  });

  test('rule violations are the outcome, with the reason at the outcome URL', {
    skip,
  }, async () => {
    await rejected('not_found', 'POST', `/entries/${randomUUID()}`, SEED_ENTRY);
    await rejected('not_found', 'DELETE', `/assets/${randomUUID()}`);
    const orphan = { title: 'Orphan', src: 'https://s3.aws.com/o.png', entryId: randomUUID() };
    await rejected('entry_not_found', 'POST', '/assets', orphan);
    const entry = (await accepted('POST', '/entries', SEED_ENTRY)).entityId;
    const asset = (await accepted('POST', '/assets', { ...orphan, entryId: entry })).entityId;
    await rejected('entry_has_assets', 'DELETE', `/entries/${entry}`);
    await accepted('DELETE', `/assets/${asset}`);
    await accepted('DELETE', `/entries/${entry}`);
    await rejected('deleted', 'DELETE', `/entries/${entry}`);
    await rejected('deleted', 'POST', `/entries/${entry}`, SEED_ENTRY);
    await rejected('entry_not_found', 'POST', '/assets', { ...orphan, entryId: entry });
    const history = (await d.client.request('GET', `/entries/${entry}/events`)).body.items;
    assert.deepEqual(
      history.map((e: { type: string }) => e.type),
      ['entryCreated', 'entryDeleted'],
      'a rejected command leaves no event',
    );
  });

  test('concurrent creates each make one entity, listed by the query API', { skip }, async () => {
    const marker = `Batch ${randomUUID().slice(0, 8)}`;
    const outcomes = await Promise.all(
      Array.from({ length: CREATES }, (_, i) =>
        accepted('POST', '/entries', { ...SEED_ENTRY, title: `${marker} #${i}` }),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => o.version),
      outcomes.map(() => 1),
    );
    const listed = await d.client.request(
      'GET',
      `/entries?limit=100&title=${encodeURIComponent(marker)}`,
    );
    assert.deepEqual(
      listed.body.items.map((e: Versioned) => e.id),
      outcomes.map((o) => o.entityId).sort(),
    );
  });

  test('concurrent updates of one entity each get one outcome, versions 1..n', {
    skip,
  }, async () => {
    const id = (await accepted('POST', '/entries', SEED_ENTRY)).entityId;
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        d.client.request<Accepted>('POST', `/entries/${id}`, {
          title: `Concurrent ${i}`,
          src: `https://s3.aws.com/${i}.png`,
        }),
      ),
    );
    const outcomes = await Promise.all(
      answers.map(async (answer) => {
        assert.equal(answer.status, 202);
        const location = `${answer.body.location}?wait=visible&timeoutMs=20000`;
        return (await d.client.request<Outcome>('GET', location)).body;
      }),
    );
    for (const outcome of outcomes)
      assert.equal(outcome.status, 'accepted', `${JSON.stringify(outcome)}\n${d.logs()}`);
    assert.deepEqual(
      outcomes.map((o) => o.version).sort((a, b) => a! - b!),
      Array.from({ length: CONCURRENT }, (_, i) => i + 2),
      'each update took its own version after the create',
    );
    const history = (await d.client.request('GET', `/entries/${id}/events`)).body.items;
    const shown = (await d.client.request('GET', `/entries/${id}`)).body;
    assert.equal(shown.version, CONCURRENT + 1);
    assert.equal(shown.title, history.at(-1).data.title, 'the read model shows the last event');
  });

  test("every entity's history has versions 1..n; both persisters took a share", {
    skip,
  }, async () => {
    for (const [kind, ids] of Object.entries(touched)) {
      for (const id of ids) {
        const answer = await d.client.request('GET', `/${kind}/${id}/events`);
        // A rejected create of an unknown id leaves no stream.
        if (answer.status === 404) continue;
        const versions = answer.body.items.map((e: { version: number }) => e.version);
        assert.deepEqual(
          versions,
          Array.from({ length: versions.length }, (_, i) => i + 1),
          `${kind} ${id}`,
        );
        const shown = await d.client.request('GET', `/${kind}/${id}`);
        const last = answer.body.items.at(-1);
        if (last.type.endsWith('Deleted')) assert.equal(shown.status, 404, `${kind} ${id}`);
        else assert.equal(shown.body.version, last.version, `${kind} ${id}`);
      }
    }
    const shares = await Promise.all(d.persisters.map((p) => consumedBy(p, 'catalog-decisions')));
    for (const share of shares)
      assert.ok(share > 0, `a persister did nothing (${shares.join(' + ')})`);
  });

  /** Every page of a list, `limit` at a time, and the ids and versions it shows. */
  async function listAll(path: string, limit = 5) {
    const items: Versioned[] = [];
    const pages: unknown[] = [];
    let next: string | null = null;
    do {
      const query: string = `${path}?limit=${limit}${next ? `&next=${next}` : ''}`;
      const page = await d.client.request('GET', query);
      assert.equal(page.status, 200);
      pages.push(page.body);
      items.push(...page.body.items);
      next = page.body.next;
    } while (next);
    return { pages, versions: items.map(({ id, version }) => [id, version]) };
  }

  test('`eventyard catalog rebuild` beside the deployment yields the same read models', {
    skip,
    timeout: 60_000,
  }, async () => {
    const entries = await listAll('/entries');
    const assets = await listAll('/assets');
    // Live: the assets test's two entries and its kept asset, the batch, the concurrent test's entry.
    assert.deepEqual([entries.versions.length, assets.versions.length], [3 + CREATES, 1]);
    assert.equal(entries.pages.length, 3, 'pages of five');
    await d.stopMaterializer();
    const run = await runCli(['catalog', 'rebuild'], { env: d.env, timeoutMs: 30_000 });
    assert.equal(run.code, 0, run.stderr);
    const [done] = jsonLines<{ rebuilt: boolean; streams: number; events: number }>(run.stdout);
    assert.equal(done?.rebuilt, true);
    assert.ok(done.streams >= entries.versions.length + assets.versions.length);
    assert.deepEqual(await listAll('/entries'), entries);
    assert.deepEqual(await listAll('/assets'), assets);
    // The pipeline goes on from the rebuilt snapshots.
    await d.restartMaterializer();
    const [id, version] = entries.versions[0] as [string, number];
    const updated = await accepted('POST', `/entries/${id}`, { ...SEED_ENTRY, title: 'After' });
    assert.equal(updated.version, version + 1);
  });
});

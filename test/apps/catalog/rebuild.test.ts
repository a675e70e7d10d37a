/**
 * Rebuilding the read models from the event store yields exactly the read
 * models that were there: thousands of random commands go through the API,
 * the three read-model tables are taken once everything is visible, then
 * rebuilt (by `rebuildReadModels` on a running host, and by `eventyard
 * catalog rebuild` on a stopped host's data dir) and compared row for row.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Kysely } from 'kysely';
import { countUnsettled } from '../../../src/apps/catalog/outcomes.ts';
import { type RebuildProgress, rebuildReadModels } from '../../../src/apps/catalog/rebuild.ts';
import { type CatalogDb, READ_MODEL_TABLES } from '../../../src/apps/catalog/schema.ts';
import { createEvent } from '../../../src/core/envelope.ts';
import { jsonLines, openTestEngines, runCli } from '../../cli/cli-process.ts';
import { waitFor } from '../../support/wait.ts';
import { type CatalogHost, startCatalogHost } from './catalog-host.ts';
import { sendRandomCommands } from './random-commands.ts';

const COMMANDS = 2000;
const SEED = Number(process.env.CATALOG_REBUILD_SEED ?? Date.now() % 1_000_000);

type ReadModels = Record<(typeof READ_MODEL_TABLES)[number], unknown[]>;

let catalog: CatalogHost;
let db: Kysely<CatalogDb>;

before(async () => {
  catalog = await startCatalogHost();
  db = catalog.host.engines.store.db as Kysely<CatalogDb>;
});

after(async () => {
  await catalog.close();
});

const KEYS = {
  catalog_snapshots: 'stream_id',
  catalog_entries: 'id',
  catalog_assets: 'id',
} as const;

async function readModels(of: Kysely<CatalogDb>): Promise<ReadModels> {
  const models = {} as ReadModels;
  for (const table of READ_MODEL_TABLES) {
    models[table] = await of
      .selectFrom(table)
      .selectAll()
      .orderBy(KEYS[table] as never)
      .execute();
  }
  return models;
}

async function eventCounts(of: Kysely<CatalogDb>) {
  const row = await of
    .selectFrom('catalog_events')
    .select((eb) => [
      eb.fn.countAll<number>().as('events'),
      eb.fn.count<number>('stream_id').distinct().as('streams'),
    ])
    .executeTakeFirstOrThrow();
  return { events: Number(row.events), streams: Number(row.streams) };
}

let expected: ReadModels;

test(`${COMMANDS} random commands, then rebuildReadModels on the running host changes no row`, async (t) => {
  t.diagnostic(`seed ${SEED}: CATALOG_REBUILD_SEED=${SEED} picks the same commands again`);
  const run = await sendRandomCommands(catalog.client, {
    count: COMMANDS,
    concurrency: 12,
    seed: SEED,
  });
  assert.equal(run.accepted.length, COMMANDS);
  assert.equal(run.byType.size, 6, `every command type was sent: ${[...run.byType.keys()]}`);
  // A taken id can only come from a producer that names its own ids.
  const taken = run.accepted.filter((a) => a.type === 'createEntry').slice(0, 5);
  const raw = taken.map((a) =>
    createEvent({
      type: 'catalog.command',
      source: 'test/producer',
      data: {
        type: 'createEntry',
        body: { title: 'Again', src: 'https://s3.aws.com/a.png' },
        params: { id: a.entityId },
        meta: { user: 1 },
      },
    }),
  );
  await catalog.host.engines.broker.publish('commands', raw);
  await waitFor(
    'every command to be decided and visible',
    async () => {
      const rows = await db
        .selectFrom('catalog_commands')
        .select('id')
        .where(
          'id',
          'in',
          raw.map((e) => e.id),
        )
        .execute();
      return rows.length === raw.length && (await countUnsettled(db)) === 0;
    },
    45_000,
    100,
  );

  const outcomes = await db
    .selectFrom('catalog_commands')
    .select(['status', 'reason_code'])
    .execute();
  const codes = new Set(outcomes.map((o) => o.reason_code ?? o.status));
  for (const code of [
    'accepted',
    'id_taken',
    'not_found',
    'deleted',
    'entry_not_found',
    'entry_has_assets',
  ]) {
    assert.ok(codes.has(code), `some command ended ${code}: ${[...codes]}`);
  }

  expected = await readModels(db);
  assert.ok(expected.catalog_entries.length > 50, 'there are entries to rebuild');
  assert.ok(expected.catalog_assets.length > 50, 'there are assets to rebuild');
  assert.ok(
    expected.catalog_snapshots.length > expected.catalog_entries.length,
    'snapshots include deleted streams',
  );

  // Spoil the read models first: a rebuild that left them alone would pass otherwise.
  await db.deleteFrom('catalog_entries').where('id', '<', '8').execute();
  await db.updateTable('catalog_assets').set({ title: 'spoiled', version: 99 }).execute();
  await db
    .updateTable('catalog_snapshots')
    .set({ version: 0 })
    .where('stream_id', '<', 'asset-8')
    .execute();
  await db
    .insertInto('catalog_entries')
    .values({
      id: randomUUID(),
      title: 'stray',
      src: 'https://s3.aws.com/s.png',
      description: null,
      version: 1,
      created_at: '2000-01-01T00:00:00.000Z',
      updated_at: '2000-01-01T00:00:00.000Z',
    })
    .execute();
  assert.notDeepEqual(await readModels(db), expected);

  const progress: RebuildProgress[] = [];
  const done = await rebuildReadModels(db, (p) => progress.push(p));
  assert.deepEqual(done, { ...(await eventCounts(db)), totalStreams: done.totalStreams });
  assert.equal(done.totalStreams, done.streams);
  assert.deepEqual(progress.at(-1), done);
  assert.equal(progress.length, Math.ceil(done.streams / 500), 'progress once per page of streams');

  const rebuilt = await readModels(db);
  for (const table of READ_MODEL_TABLES) {
    assert.deepEqual(rebuilt[table], expected[table], `${table} is as it was`);
  }
  // The host goes on after a rebuild: the validator decides on the rebuilt snapshots.
  const entry = await catalog.client.command('POST', '/entries', {
    title: 'After rebuild',
    src: 'https://s3.aws.com/r.png',
  });
  assert.equal(entry.status, 'accepted');
  assert.equal(
    (await catalog.client.command('DELETE', `/entries/${entry.entityId}`)).status,
    'accepted',
  );
  expected = await readModels(db);
});

test('`eventyard catalog rebuild` on a stopped host rebuilds the same rows, with progress', async () => {
  assert.ok(expected, 'runs after the test above');
  await catalog.host.close();
  const engines = await openTestEngines(catalog.dataDir);
  try {
    const stopped = engines.store.db as Kysely<CatalogDb>;
    for (const table of READ_MODEL_TABLES) await stopped.deleteFrom(table).execute();
  } finally {
    await engines.close();
  }

  const cli = await runCli(['catalog', 'rebuild'], {
    env: { EVENTYARD_DATA_DIR: catalog.dataDir, EVENTYARD_LOG_LEVEL: 'silent' },
    timeoutMs: 30_000,
  });
  assert.equal(cli.code, 0, cli.stderr);
  const lines = cli.stderr.trim().split('\n');
  for (const line of lines) {
    assert.match(line, /^rebuilding: \d+\/\d+ streams \(\d+%\), \d+ events$/);
  }
  assert.match(lines.at(-1)!, /\(100%\)/);
  const [result] = jsonLines<{
    rebuilt: boolean;
    streams: number;
    events: number;
    seconds: number;
  }>(cli.stdout);

  const reopened = await openTestEngines(catalog.dataDir);
  try {
    const stopped = reopened.store.db as Kysely<CatalogDb>;
    const counts = await eventCounts(stopped);
    assert.deepEqual(result, { rebuilt: true, ...counts, seconds: result!.seconds });
    assert.equal(lines.length, Math.ceil(counts.streams / 500));
    assert.match(lines.at(-1)!, new RegExp(`^rebuilding: ${counts.streams}/${counts.streams} `));
    const rebuilt = await readModels(stopped);
    for (const table of READ_MODEL_TABLES) {
      assert.deepEqual(rebuilt[table], expected[table], `${table} is as it was`);
    }
  } finally {
    await reopened.close();
  }
});

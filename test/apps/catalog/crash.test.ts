/**
 * kill -9 of `eventyard start` at random points while clients send catalog
 * commands, round after round; after the last restart every command answered
 * 202 has exactly one outcome, each accepted command has exactly its event in
 * the event store (no duplicate, none missing, streams without gaps), and
 * `eventyard catalog rebuild` yields exactly the read models the
 * materializer built.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CATALOG_EVENTS, COMMANDS, DECISIONS } from '../../../src/apps/catalog/names.ts';
import { EventyardServers } from '../../support/eventyard-servers.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { delay, waitFor } from '../../support/wait.ts';
import { backlog } from '../jobs/crash-history.ts';
import { type Accepted, CatalogClient } from './catalog-host.ts';
import {
  brokenStreams,
  eventsWithoutAcceptedCommand,
  undecided,
  unexpectedOutcomes,
  wrongEvents,
} from './crash-audit.ts';
import { type CatalogTables, readCatalog } from './crash-store.ts';
import { CatalogWorkload, type SentCommand } from './crash-workload.ts';

const ROUNDS = Number(process.env.EVENTYARD_CRASH_ROUNDS ?? 20);
const BIN = resolve(import.meta.dirname, '../../../bin/eventyard.js');
const TOPICS = [COMMANDS, DECISIONS, CATALOG_EVENTS];
/**
 * Unpaced: each 202 waits for its row and outbox write on the one SQLite writer, which the
 * validator, persister and materializer share, so the clients cannot outrun the pipeline; the
 * backlog stays at a few commands (in flight at most kills) and the final drain takes a second.
 */
const CLIENTS = 8;

/** What the catalog's groups have not handled yet, over its three topics. */
async function catalogBacklog(url: string): Promise<number> {
  let sum = 0;
  for (const topic of TOPICS) sum += await backlog(url, topic);
  return sum;
}

interface Kill {
  /** Events the catalog's groups had not handled, just before the kill. */
  readonly backlog: number;
  /** Just before the kill: a command created earlier was in flight if decided after `exitedAt`. */
  readonly killedAt: string;
  readonly exitedAt: string;
}

/** Clients send commands until the server is killed at a random point. */
async function crashRound(
  servers: EventyardServers,
  url: string,
  workload: CatalogWorkload,
): Promise<Kill> {
  const { server, exited } = await servers.start();
  const client = new CatalogClient(url);
  let sending = true;
  const sender = async () => {
    while (sending) {
      const planned = workload.next();
      const answer = await client
        .request<Accepted>(planned.method, planned.path, planned.body)
        .catch((error: Error) => {
          if (sending) throw error;
          return undefined; // killed in flight: the client never learns this command's fate
        });
      if (!answer) return;
      const expected = planned.invalid ? 400 : 202;
      assert.equal(
        answer.status,
        expected,
        `${planned.method} ${planned.path}: ${JSON.stringify(answer)}`,
      );
      if (answer.status === 202)
        workload.accepted(planned, answer.body.commandId, answer.body.entityId);
    }
  };
  const senders = Promise.all(Array.from({ length: CLIENTS }, sender));
  await delay(100 + Math.floor(Math.random() * 1_200));
  const waiting = await catalogBacklog(url).catch(() => -1);
  sending = false;
  const killedAt = new Date().toISOString();
  server.kill('SIGKILL');
  await exited;
  const exitedAt = new Date().toISOString();
  await senders;
  return { backlog: waiting, killedAt, exitedAt };
}

/** Restarts the server, waits until the catalog's groups have handled everything, stops it cleanly. */
async function drainAndStop(servers: EventyardServers, url: string): Promise<void> {
  const { server, exited } = await servers.start();
  await waitFor(
    'the catalog groups to catch up',
    async () => (await catalogBacklog(url)) === 0,
    60_000,
    100,
  );
  const groups = (await (await fetch(`${url}/api/groups`)).json()) as {
    groups: { topic: string; deadLettered: number }[];
  };
  assert.deepEqual(
    groups.groups.filter((g) => TOPICS.includes(g.topic) && g.deadLettered > 0),
    [],
    'dead-lettered catalog messages',
  );
  server.kill('SIGTERM');
  await exited;
}

/** One outcome per command answered 202; exactly the events each accepted command calls for. */
function assertEventStore({ events, commands }: CatalogTables, sent: readonly SentCommand[]): void {
  assert.deepEqual(undecided(sent, commands), [], 'commands answered 202 without one outcome');
  assert.deepEqual(
    commands.filter((row) => row.status === 'pending').map((row) => row.id),
    [],
    'commands still pending',
  );
  assert.deepEqual(unexpectedOutcomes(sent, commands), [], 'outcomes the rules do not allow');
  assert.deepEqual(
    wrongEvents(events, commands, sent),
    [],
    'accepted commands without exactly their event',
  );
  assert.deepEqual(
    eventsWithoutAcceptedCommand(events, commands),
    [],
    'events of no accepted command',
  );
  assert.deepEqual(brokenStreams(events), [], 'streams whose versions are not 1..n');
}

test(`kill -9 while catalog commands flow (${ROUNDS} rounds): one outcome each, events exact, rebuild equal`, {
  timeout: 240_000,
}, async (t) => {
  const dir = tempDir('eventyard-catalog-crash-');
  const servers = await EventyardServers.on(dir.path);
  const { url, env } = servers;
  t.after(() => {
    servers.killAll();
    dir.remove();
  });
  const workload = new CatalogWorkload();
  const kills: Kill[] = [];
  for (let round = 0; round < ROUNDS; round++) kills.push(await crashRound(servers, url, workload));
  const { sent } = workload;
  const types = new Map<string, number>();
  for (const { type } of sent) types.set(type, (types.get(type) ?? 0) + 1);
  t.diagnostic(
    `${sent.length} commands answered 202: ${JSON.stringify(Object.fromEntries(types))}`,
  );
  t.diagnostic(`backlog at each kill: ${kills.map((kill) => kill.backlog).join(' ')}`);
  assert.ok(sent.length > 10 * ROUNDS, `only ${sent.length} commands were answered 202`);

  // Commands whose 202 was lost in a kill obey the same rules, so the store is read once the
  // groups have handled everything, and audited whole, not only for the commands answered 202.
  const drainStarted = performance.now();
  await drainAndStop(servers, url);
  t.diagnostic(`restart, drain and stop took ${Math.round(performance.now() - drainStarted)} ms`);

  const live = readCatalog(dir.path);
  const { events, commands } = live;
  t.diagnostic(`${commands.length} commands recorded, ${events.length} events stored`);
  const crossed = kills.map(
    (kill) =>
      commands.filter((row) => row.created_at < kill.killedAt && row.decided_at! > kill.exitedAt)
        .length,
  );
  t.diagnostic(`commands decided only after the kill that caught them: ${crossed.join(' ')}`);
  assert.ok(
    crossed.some((n) => n > 0),
    'no kill caught a command in flight',
  );
  assertEventStore(live, sent);

  const rebuild = await promisify(execFile)(process.execPath, [BIN, 'catalog', 'rebuild'], { env });
  t.diagnostic(`rebuild: ${rebuild.stdout.trim()}`);
  const done = JSON.parse(rebuild.stdout) as { rebuilt: boolean; events: number };
  assert.deepEqual([done.rebuilt, done.events], [true, events.length], rebuild.stdout);
  assert.deepEqual(
    readCatalog(dir.path).readModels,
    live.readModels,
    'a rebuild from the event store differs from the live read models',
  );
});

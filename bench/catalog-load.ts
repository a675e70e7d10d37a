/**
 * The load generator of the catalog bench: autocannon sending catalog
 * commands to a host, in a child process of the bench (see catalog.ts for
 * why). `runCommandLoad()` forks this file, sends it a `CommandLoadOptions`
 * and gets a `CommandLoadResult` back over IPC.
 *
 * The mix, by request sequence: 8 in 10 are `POST /entries/{id}` (update,
 * a fresh whole body) of the pre-created entries taken in turn, 1 in 10
 * `POST /entries` and 1 in 10 `POST /assets` on one of those entries. Taken
 * in turn, an entry is updated again only after the whole pool has been, so
 * commands of one entity seldom race (a race is decided again, not lost).
 *
 * Each 202 is recorded with its command id and the wall-clock time it was
 * received (`performance.timeOrigin + performance.now()`, comparable across
 * processes on one machine), so the bench can time the command until the
 * query API shows it.
 */
import autocannon from 'autocannon';
import { type LoadSummary, runInChild, serveInChild, summaryOf } from './load-child.ts';

export interface CommandLoadOptions {
  /** Base URL of the host, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Ids of live entries: what updates and asset creates name. */
  readonly entryIds: readonly string[];
  readonly connections: number;
  /** Requests/s over all connections; none: as fast as the connections go. */
  readonly rate?: number;
  readonly seconds: number;
  /** First request sequence: runs on one host give distinct ones, so each body is fresh. */
  readonly firstSequence: number;
}

export interface CommandLoadResult extends LoadSummary {
  /** Wall-clock ms when the run began. */
  readonly startedAt: number;
  /** Accepted commands' ids, with `acceptedAt[i]` the wall-clock ms their 202 arrived. */
  readonly commandIds: string[];
  readonly acceptedAt: number[];
}

const wallClock = () => performance.timeOrigin + performance.now();

/** The request of sequence `n`: method, path and body, as the mix above says. */
export function commandRequest(
  entryIds: readonly string[],
  n: number,
): { method: 'POST'; path: string; body: string } {
  const entryId = entryIds[n % entryIds.length]!;
  const src = `https://example.com/bench/${n}`;
  switch (n % 10) {
    case 0:
      return { method: 'POST', path: '/entries', body: JSON.stringify({ title: `new ${n}`, src }) };
    case 5:
      return {
        method: 'POST',
        path: '/assets',
        body: JSON.stringify({ title: `asset ${n}`, src, entryId, contentType: 'image/png' }),
      };
    default:
      return {
        method: 'POST',
        path: `/entries/${entryId}`,
        body: JSON.stringify({ title: `entry ${n}`, src, description: `update ${n}` }),
      };
  }
}

async function generate(options: CommandLoadOptions): Promise<CommandLoadResult> {
  let sequence = options.firstSequence;
  const commandIds: string[] = [];
  const acceptedAt: number[] = [];
  const startedAt = wallClock();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.rate === undefined ? {} : { overallRate: options.rate }),
    duration: options.seconds,
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          ...commandRequest(options.entryIds, sequence++),
        }),
        onResponse: (status, body) => {
          if (status !== 202) return;
          acceptedAt.push(wallClock());
          commandIds.push((JSON.parse(body) as { commandId: string }).commandId);
        },
      },
    ],
  });
  return {
    ...summaryOf(result),
    startedAt,
    commandIds,
    acceptedAt,
  };
}

/** Runs the load in a child process; resolves with its result. */
export function runCommandLoad(options: CommandLoadOptions): Promise<CommandLoadResult> {
  return runInChild(import.meta.url, options);
}

serveInChild(import.meta.url, generate);

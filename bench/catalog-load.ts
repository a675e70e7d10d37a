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
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

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

export interface CommandLoadResult {
  /** Responses received (any status). */
  readonly responses: number;
  /** 202 responses: commands accepted. */
  readonly accepted: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly seconds: number;
  /** Wall-clock ms when the run began. */
  readonly startedAt: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
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
    responses: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
    accepted: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    startedAt,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    commandIds,
    acceptedAt,
  };
}

/** Runs the load in a child process; resolves with its result. */
export function runCommandLoad(options: CommandLoadOptions): Promise<CommandLoadResult> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
  });
  return new Promise((resolve, reject) => {
    let result: CommandLoadResult | undefined;
    child.once('message', (message) => {
      const answer = message as { result?: CommandLoadResult; error?: string };
      if (answer.error !== undefined) reject(new Error(`load generator: ${answer.error}`));
      else result = answer.result;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`load generator exited with code ${code} and no result`));
    });
    child.send(options);
  });
}

// The child's side: one CommandLoadOptions in, one result out, then exit.
if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  process.once('message', (options) => {
    generate(options as CommandLoadOptions).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: unknown) => process.send!({ error: String(error) }, () => process.exit(1)),
    );
  });
}

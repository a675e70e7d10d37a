/**
 * What the autocannon load generators of sections 10 and 11 share: running
 * one in a forked child (its own event loop, usually its own core, so its
 * body building and parsing are not counted in the server's latency), and
 * the summary of an autocannon result.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';

export interface LoadSummary {
  /** Responses received in the measured run (any status). */
  readonly responses: number;
  /** 2xx responses. */
  readonly accepted: number;
  readonly non2xx: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summaryOf(result: autocannon.Result): LoadSummary {
  return {
    responses: result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'],
    accepted: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
  };
}

/** Runs the generator module at `moduleUrl` in a child: `options` in, its result out. */
export function runInChild<O, R>(moduleUrl: string, options: O): Promise<R> {
  const child = fork(fileURLToPath(moduleUrl), [], {
    // --expose-gc: a section measured in a child starts its phases after a full GC, as here.
    execArgv: ['--expose-gc', '--import', 'tsx'],
    serialization: 'advanced',
  });
  return new Promise((resolve, reject) => {
    let result: R | undefined;
    child.once('message', (message) => {
      const answer = message as { result?: R; error?: string };
      if (answer.error !== undefined) reject(new Error(`load generator: ${answer.error}`));
      else result = answer.result;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`load generator exited with code ${code} and no result`));
    });
    child.send(options as object);
  });
}

/** The child's side, when `moduleUrl` runs as a forked child: one message in, `work`'s result out, exit. */
export function serveInChild<O, R>(moduleUrl: string, work: (options: O) => Promise<R>): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl) || !process.send) return;
  process.once('message', (options) => {
    work(options as O).then(
      (result) => process.send!({ result }, () => process.exit(0)),
      (error: unknown) => process.send!({ error: String(error) }, () => process.exit(1)),
    );
  });
}

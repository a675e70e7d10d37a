/**
 * A steady request rate, which autocannon does not give: its `overallRate`
 * lets each connection send its share of a second back to back and then
 * wait for the next second, so "500 requests/s over 50 connections" is a
 * burst of 50 concurrent requests at the start of every second, and its
 * latency is that of a server at full concurrency (about 25 ms here at any
 * rate from 50 to 500/s). This sends request i at `start + i / rate`,
 * over keep-alive connections (at most `connections`), and times each from
 * that planned moment to the end of its response: a request that waits for
 * a free connection, or for a server that fell behind, counts its wait
 * (no coordinated omission).
 */
import { Agent, request } from 'node:http';
import type { LoadSummary } from './load-child.ts';

export interface PacedLoad {
  /** Full URL of the endpoint. */
  readonly url: string;
  readonly method: 'POST' | 'GET';
  readonly headers: Readonly<Record<string, string>>;
  /** The body of request number `sequence`. */
  readonly body: (sequence: number) => string | Buffer;
  readonly rate: number;
  readonly connections: number;
  readonly seconds: number;
  /** Sent first at the same rate, not counted. */
  readonly warmupSeconds: number;
}

interface Outcome {
  readonly latencyMs: number;
  readonly status: number | undefined;
}

function send(
  agent: Agent,
  load: PacedLoad,
  sequence: number,
  plannedAt: number,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const body = load.body(sequence);
    const req = request(
      load.url,
      {
        agent,
        method: load.method,
        headers: { ...load.headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        res.resume();
        res.once('end', () =>
          resolve({ latencyMs: performance.now() - plannedAt, status: res.statusCode }),
        );
      },
    );
    req.once('error', () =>
      resolve({ latencyMs: performance.now() - plannedAt, status: undefined }),
    );
    req.end(body);
  });
}

/** Sends `rate` requests/s for `seconds` (after the warm-up) and summarizes the measured ones. */
export async function pacedLoad(load: PacedLoad, firstSequence = 0): Promise<LoadSummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections });
  const intervalMs = 1000 / load.rate;
  const warmup = Math.round(load.warmupSeconds * load.rate);
  const total = warmup + Math.round(load.seconds * load.rate);
  const measured: Array<Promise<Outcome>> = [];
  const pending: Array<Promise<Outcome>> = [];
  const start = performance.now();
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      for (; sent < due; sent++) {
        const outcome = send(agent, load, firstSequence + sent, start + sent * intervalMs);
        (sent < warmup ? pending : measured).push(outcome);
      }
      if (sent < total)
        setTimeout(tick, Math.max(0, start + sent * intervalMs - performance.now()));
      else done();
    };
    tick();
  });
  const outcomes = await Promise.all(measured);
  await Promise.all(pending);
  const elapsedMs = performance.now() - start - warmup * intervalMs;
  agent.destroy();
  const latencies = outcomes.map((o) => o.latencyMs).sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  const accepted = outcomes.filter((o) => o.status !== undefined && o.status < 300).length;
  const errors = outcomes.filter((o) => o.status === undefined).length;
  return {
    responses: outcomes.length - errors,
    accepted,
    non2xx: outcomes.length - errors - accepted,
    errors,
    seconds: elapsedMs / 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? 0,
  };
}

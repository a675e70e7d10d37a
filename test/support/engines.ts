/**
 * Whether a test may skip an engine that is not reachable. Locally a suite
 * prints one loud SKIP line; with CI or EVENTYARD_REQUIRE_ENGINES=1 a missing
 * engine fails the run instead.
 */
import { createConnection } from 'node:net';

export function enginesRequired(env = process.env): boolean {
  return (
    env.EVENTYARD_REQUIRE_ENGINES === '1' ||
    (env.CI !== undefined && env.CI !== '' && env.CI !== 'false')
  );
}

/** Resolves true when something accepts TCP connections at host:port within `timeoutMs`. */
export function reachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Returns a skip reason (string) when the engine is unreachable and may be
 * skipped, undefined when it is reachable; throws when it is required.
 */
export async function skipUnlessReachable(
  engine: string,
  url: string,
  host: string,
  port: number,
): Promise<string | undefined> {
  if (await reachable(host, port)) return undefined;
  const message = `${engine} not reachable at ${url}`;
  if (enginesRequired())
    throw new Error(`${message} (required: EVENTYARD_REQUIRE_ENGINES/CI is set)`);
  console.log(`SKIP ${message}`);
  return message;
}

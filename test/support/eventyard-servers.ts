/**
 * `eventyard start` as child processes for the crash tests: each on its own
 * data dir and free ports, started and awaited healthy, killed however the
 * test wants; `killAll` in `t.after` leaves nothing running.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

const BIN = resolve(import.meta.dirname, '../../bin/eventyard.js');

export class EventyardServers {
  readonly #started = new Set<ChildProcess>();

  private constructor(
    /** The HTTP API's base URL. */
    readonly url: string,
    /** The S3 endpoint's port. */
    readonly s3Port: number,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Servers on `dataDir`, with ports of their own. */
  static async on(dataDir: string): Promise<EventyardServers> {
    const [port, s3Port] = [await freePort(), await freePort()];
    return new EventyardServers(`http://127.0.0.1:${port}`, s3Port, {
      ...process.env,
      EVENTYARD_DATA_DIR: dataDir,
      EVENTYARD_PORT: String(port),
      EVENTYARD_S3_PORT: String(s3Port),
      EVENTYARD_LOG_LEVEL: 'error',
    });
  }

  /** Starts one and waits until its /health answers. */
  async start(): Promise<{ server: ChildProcess; exited: Promise<unknown> }> {
    const server = spawn(process.execPath, [BIN, 'start'], {
      env: this.env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.#started.add(server);
    const exited = new Promise((done) => server.once('exit', done));
    await waitFor(
      'the server to start',
      async () => (await fetch(`${this.url}/health`).catch(() => undefined))?.ok,
      30_000,
      50,
    );
    return { server, exited };
  }

  killAll(): void {
    for (const server of this.#started) if (server.exitCode === null) server.kill('SIGKILL');
  }
}

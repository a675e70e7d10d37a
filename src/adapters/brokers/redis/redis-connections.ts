/**
 * The connections of one Redis transport: one shared connection for every
 * non-blocking command (Redis answers them in order, so ioredis pipelines
 * them on one socket), plus a dedicated connection per blocking reader (a
 * blocked XREADGROUP/XREAD holds its socket). ioredis reconnects by itself
 * after a server restart; commands sent meanwhile wait in its offline
 * queue (blocking readers wait as long as it takes, others fail after
 * `maxRetriesPerRequest` reconnection attempts, about half a minute). Each
 * connection reports the first error of an outage, not every retry.
 */
import { Redis } from 'ioredis';
import { describeError, EngineError } from '../../../core/errors.ts';
import type { ResolvedRedisOptions } from './redis-options.ts';

/** Reconnection delay: 100 ms doubling to at most 2 s. */
function retryDelay(times: number): number {
  return Math.min(100 * 2 ** Math.min(times - 1, 5), 2_000);
}

export class RedisConnections {
  readonly command: Redis;
  readonly #options: ResolvedRedisOptions;
  readonly #dedicated = new Set<Redis>();
  #closed = false;

  constructor(options: ResolvedRedisOptions) {
    this.#options = options;
    this.command = this.#open('command', 20);
  }

  get address(): string {
    return this.#options.address;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Connects the command connection; rejects with an EngineError naming the address. */
  async connect(): Promise<void> {
    if (this.command.status === 'ready') return;
    try {
      if (this.command.status === 'wait') await this.command.connect();
      else await this.command.ping();
    } catch (error) {
      throw new EngineError(`cannot reach redis at ${this.address}: ${describeError(error)}`, {
        path: 'EVENTYARD_BROKER',
        cause: error,
      });
    }
  }

  /** A connection of its own for blocking reads; close it with `release`. */
  dedicated(name: string): Redis {
    const connection = this.#open(name, null);
    this.#dedicated.add(connection);
    return connection;
  }

  release(connection: Redis): void {
    this.#dedicated.delete(connection);
    connection.disconnect();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const connection of this.#dedicated) connection.disconnect();
    this.#dedicated.clear();
    if (this.command.status === 'ready') {
      try {
        await this.command.quit();
        return;
      } catch {
        // fall through to a hard disconnect
      }
    }
    this.command.disconnect();
  }

  #open(name: string, maxRetriesPerRequest: number | null): Redis {
    const connection = new Redis({
      ...this.#options.connection,
      connectionName: `eventyard-${name}`,
      lazyConnect: true,
      retryStrategy: retryDelay,
      maxRetriesPerRequest,
    });
    let reported = false;
    connection.on('ready', () => {
      reported = false;
    });
    connection.on('error', (error: Error) => {
      if (reported || this.#closed) return;
      reported = true;
      this.#options.onError(
        new EngineError(`redis at ${this.address} (${name}): ${error.message}; reconnecting`, {
          cause: error,
        }),
      );
    });
    return connection;
  }
}

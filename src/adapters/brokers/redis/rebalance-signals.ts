/**
 * Tells the members of a group, in every process, that membership or
 * partition ownership changed, so they beat at once instead of at their
 * next heartbeat: a Redis pub/sub channel per group, one subscriber
 * connection per transport. A lost message costs only time: heartbeats
 * reconcile anyway (ioredis resubscribes after a reconnect).
 */
import type { Redis } from 'ioredis';
import type { RedisConnections } from './redis-connections.ts';

export class RebalanceSignals {
  readonly #connections: RedisConnections;
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #onError: (error: Error) => void;
  #subscriber: Redis | undefined;

  constructor(connections: RedisConnections, onError: (error: Error) => void) {
    this.#connections = connections;
    this.#onError = onError;
  }

  /** Calls `listener` on each signal of `channel`; returns the way to stop. */
  async listen(channel: string, listener: () => void): Promise<() => Promise<void>> {
    const subscriber = this.#subscriberConnection();
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
      await subscriber.subscribe(channel);
    }
    listeners.add(listener);
    return async () => {
      listeners.delete(listener);
      if (listeners.size > 0 || this.#listeners.get(channel) !== listeners) return;
      this.#listeners.delete(channel);
      try {
        await subscriber.unsubscribe(channel);
      } catch {
        // closed meanwhile
      }
    };
  }

  async signal(channel: string): Promise<void> {
    try {
      await this.#connections.command.publish(channel, '1');
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  close(): void {
    if (this.#subscriber) this.#connections.release(this.#subscriber);
    this.#subscriber = undefined;
    this.#listeners.clear();
  }

  #subscriberConnection(): Redis {
    if (!this.#subscriber) {
      const subscriber = this.#connections.dedicated('rebalance');
      subscriber.on('message', (channel: string) => {
        for (const listener of this.#listeners.get(channel) ?? []) listener();
      });
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }
}

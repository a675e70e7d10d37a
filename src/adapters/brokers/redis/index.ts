/**
 * The Redis Streams broker (Redis 7.0 or newer): `openRedisTransport(url, options)`
 * for EVENTYARD_BROKER=redis://[user:password@]host[:port][/db][?parameter=value...]
 * (rediss:// over TLS). Query parameters: prefix, partitions, leaseMs, blockMs,
 * delayPollMs, maxEventBytes, maxLength, durability, connectTimeoutMs and
 * import=<list>:<topic> (repeatable), each described in redis-options.ts; an
 * unknown or bad one is refused with a ConfigError naming it. What a publish
 * survives depends on the server's appendonly/appendfsync (redis-transport.ts).
 */
import type { RedisTransportOptions } from './redis-options.ts';
import { RedisTransport } from './redis-transport.ts';

export { adoptListItem } from './list-import.ts';
export type { ListImport, RedisTransportOptions } from './redis-options.ts';
export { RedisTransport } from './redis-transport.ts';

/** A transport over the Redis at `url`; `ready()` connects (and fails naming the address). */
export function openRedisTransport(
  url: string,
  options: RedisTransportOptions = {},
): RedisTransport {
  return new RedisTransport(url, options);
}

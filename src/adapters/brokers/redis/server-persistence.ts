/**
 * What the Redis server keeps on disk, read with CONFIG GET at `ready()`,
 * and the durability a resolved publish may claim from it. Redis replies
 * to a write once it is in memory; only with appendonly yes and
 * appendfsync always does the reply wait for the AOF fsync. With
 * appendfsync everysec a crash of Redis can lose the last second; with
 * RDB snapshots only, everything since the last snapshot; with neither
 * (`appendonly no`, `save ""`), a restart of Redis loses every topic,
 * group and position, and consumers start again on empty streams.
 */
import type { Redis } from 'ioredis';
import type { TransportCapabilities } from '../../../core/transport.ts';

export interface ServerPersistence {
  /** `aof-always`, `aof-everysec`, `aof-no`, `rdb`, `none`, or `unknown` when CONFIG is refused. */
  readonly mode: 'aof-always' | 'aof-everysec' | 'aof-no' | 'rdb' | 'none' | 'unknown';
  /** The settings as the server reported them, for messages. */
  readonly settings: string;
}

export async function readServerPersistence(client: Redis): Promise<ServerPersistence> {
  let reply: string[];
  try {
    reply = (await client.call('CONFIG', 'GET', 'appendonly', 'appendfsync', 'save')) as string[];
  } catch (error) {
    // Managed Redis often renames or refuses CONFIG: promise no more than memory.
    return { mode: 'unknown', settings: `CONFIG GET refused (${(error as Error).message})` };
  }
  const config = new Map<string, string>();
  for (let i = 0; i + 1 < reply.length; i += 2) config.set(reply[i]!, reply[i + 1]!);
  const aof = config.get('appendonly') === 'yes';
  const fsync = config.get('appendfsync') ?? '';
  const save = config.get('save') ?? '';
  const settings = `appendonly ${aof ? 'yes' : 'no'}, appendfsync ${fsync}, save '${save}'`;
  if (aof) {
    const mode =
      fsync === 'always' ? 'aof-always' : fsync === 'everysec' ? 'aof-everysec' : 'aof-no';
    return { mode, settings };
  }
  return { mode: save.trim() === '' ? 'none' : 'rdb', settings };
}

/** What a resolved publish survives on a server persisting like this. */
export function durabilityOf(persistence: ServerPersistence): TransportCapabilities['durability'] {
  return persistence.mode === 'aof-always' ? 'power-loss' : 'process-crash';
}

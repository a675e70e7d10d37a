/**
 * Which member of a group reads which partition. Redis consumer groups
 * hand any entry to any consumer; to keep a key's events in order across
 * the members of a group, each partition stream is read by one member at a
 * time, the holder of its lease. Live members are a sorted set scored by
 * lease expiry; partition p belongs to the member at index p % n of the
 * sorted names, the same view for all. A heartbeat renews what a member
 * holds and takes what is its share and free; a member holding a partition
 * that is no longer its share finishes what it has in flight, acknowledges,
 * and releases it. A member killed with kill -9 stops renewing: after
 * `leaseMs` its partitions are free and their new holders take over the
 * deliveries it left unacknowledged (XAUTOCLAIM). Times are the server's.
 */
import type { Redis } from 'ioredis';
import { LuaScript } from './lua-script.ts';
import type { GroupKeys } from './redis-keys.ts';

// KEYS: members, owner of partition 0..P-1. ARGV: member, leaseMs, acquire (1/0).
// Returns {share size, p, share?(1/0), p, share?, ...} for every partition held after the beat.
const HEARTBEAT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local me = ARGV[1]
local lease = tonumber(ARGV[2])
local acquire = ARGV[3] == '1'
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + lease, me)
redis.call('PEXPIRE', KEYS[1], lease * 3)
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
table.sort(members)
local index = 0
for i, name in ipairs(members) do
  if name == me then index = i - 1 end
end
local result = {0}
for p = 0, #KEYS - 2 do
  local key = KEYS[p + 2]
  local share = (p % #members) == index
  if share then result[1] = result[1] + 1 end
  local owner = redis.call('GET', key)
  if owner == me or (acquire and share and not owner) then
    redis.call('SET', key, me, 'PX', lease)
    table.insert(result, p)
    table.insert(result, share and 1 or 0)
  end
end
return result
`);

// KEYS: owners to release (and, with ARGV[2] = 1, KEYS[1] is the members set to leave).
const RELEASE = new LuaScript(`
local from = 1
if ARGV[2] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  from = 2
end
for i = from, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 0
`);

// KEYS: members. Returns how many members hold a live lease now.
const LIVE = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
`);

export interface LeaseView {
  /** Partitions that are this member's share. */
  readonly shareSize: number;
  /** Partitions it holds, and whether each is its share (else it should release it). */
  readonly held: ReadonlyMap<number, boolean>;
}

export async function heartbeat(
  client: Redis,
  keys: GroupKeys,
  member: string,
  leaseMs: number,
  acquire: boolean,
): Promise<LeaseView> {
  const reply = (await HEARTBEAT.run(
    client,
    [keys.members, ...keys.owners],
    [member, leaseMs, acquire ? 1 : 0],
  )) as number[];
  const held = new Map<number, boolean>();
  for (let i = 1; i + 1 < reply.length; i += 2) held.set(Number(reply[i]), reply[i + 1] === 1);
  return { shareSize: Number(reply[0]), held };
}

export async function releasePartitions(
  client: Redis,
  keys: GroupKeys,
  member: string,
  partitions: readonly number[],
): Promise<void> {
  if (partitions.length === 0) return;
  await RELEASE.run(
    client,
    partitions.map((p) => keys.owners[p]!),
    [member, 0],
  );
}

/** Leaves the group: no longer a member, every partition it held released. */
export async function leaveGroup(client: Redis, keys: GroupKeys, member: string): Promise<void> {
  await RELEASE.run(client, [keys.members, ...keys.owners], [member, 1]);
}

export async function liveMembers(client: Redis, keys: GroupKeys): Promise<number> {
  return Number(await LIVE.run(client, [keys.members], []));
}

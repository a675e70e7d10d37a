/**
 * A group's persistent state on a topic: its position (everything below it
 * is settled) and the failed tries of events it has not settled yet, so a
 * restart resumes counting attempts. Every function runs inside a write
 * transaction on the writer connection.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Position } from '../../../core/position.ts';
import { claimLease } from './group-lease.ts';
import type { LogTopic } from './topic-registry.ts';

export interface GroupStart {
  readonly position: number;
  /** Offsets at or after the position with their failed tries. */
  readonly attempts: Array<[number, number]>;
}

/**
 * Takes the group's lease and reads where it stands; a group seen for the
 * first time starts at `start`, recorded at once so that a later `latest`
 * does not move it. Undefined when another live process holds the lease.
 */
export function claimGroup(
  db: BetterSqlite3.Database,
  topic: LogTopic,
  group: string,
  owner: string,
  leaseMs: number,
  start: Position,
): GroupStart | undefined {
  if (!claimLease(db, topic.id, group, owner, leaseMs)) return undefined;
  const row = db
    .prepare('SELECT position FROM ey_offsets WHERE topic_id = ? AND grp = ?')
    .get(topic.id, group) as { position: number } | undefined;
  const position = row?.position ?? topic.resolve(start);
  if (!row) writePosition(db, topic.id, group, position);
  const attempts = db
    .prepare('SELECT seq, failed FROM ey_attempts WHERE topic_id = ? AND grp = ? AND seq >= ?')
    .raw(true)
    .all(topic.id, group, position) as Array<[number, number]>;
  return { position, attempts };
}

/**
 * Commits the position, and forgets the tries of events now settled, if
 * `owner` still holds the lease; false when it was lost.
 */
export function commitPosition(
  db: BetterSqlite3.Database,
  topicId: number,
  group: string,
  owner: string,
  position: number,
  settled: readonly number[],
): boolean {
  const lease = db
    .prepare('SELECT owner FROM ey_leases WHERE topic_id = ? AND grp = ?')
    .get(topicId, group) as { owner: string } | undefined;
  if (lease?.owner !== owner) return false;
  writePosition(db, topicId, group, position);
  const drop = db.prepare('DELETE FROM ey_attempts WHERE topic_id = ? AND grp = ? AND seq = ?');
  for (const seq of settled) drop.run(topicId, group, seq);
  return true;
}

export function writePosition(
  db: BetterSqlite3.Database,
  topicId: number,
  group: string,
  position: number,
): void {
  db.prepare(
    `INSERT INTO ey_offsets (topic_id, grp, position, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (topic_id, grp) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
  ).run(topicId, group, position, Date.now());
}

export function recordAttempt(
  db: BetterSqlite3.Database,
  topicId: number,
  group: string,
  offset: number,
  failed: number,
): void {
  db.prepare(
    `INSERT INTO ey_attempts (topic_id, grp, seq, failed) VALUES (?, ?, ?, ?)
     ON CONFLICT (topic_id, grp, seq) DO UPDATE SET failed = excluded.failed`,
  ).run(topicId, group, offset, failed);
}

export function clearAttempts(db: BetterSqlite3.Database, topicId: number, group: string): void {
  db.prepare('DELETE FROM ey_attempts WHERE topic_id = ? AND grp = ?').run(topicId, group);
}

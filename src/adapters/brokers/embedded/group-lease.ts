/**
 * Which process consumes a group of a topic. Within a process, members of a
 * group share its partitions; across processes on one database file, one
 * process holds the lease and the others stand by until it lapses. A lease
 * whose holder has died on this host (kill -9) is taken over at once.
 */
import { hostname } from 'node:os';
import type BetterSqlite3 from 'better-sqlite3';

export interface LeaseHolder {
  readonly owner: string;
  readonly pid: number;
  readonly host: string;
  readonly expiresAt: number;
}

const HOST = hostname();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `holder` no longer keeps anyone else out. */
export function lapsed(holder: LeaseHolder | undefined, now: number): boolean {
  if (!holder) return true;
  if (holder.expiresAt <= now) return true;
  return holder.host === HOST && holder.pid !== process.pid && !alive(holder.pid);
}

export function currentHolder(
  db: BetterSqlite3.Database,
  topicId: number,
  group: string,
): LeaseHolder | undefined {
  const row = db
    .prepare(
      'SELECT owner, pid, host, expires_at AS expiresAt FROM ey_leases WHERE topic_id = ? AND grp = ?',
    )
    .get(topicId, group) as LeaseHolder | undefined;
  return row;
}

/** Takes or renews the lease inside a write transaction; false when another holds it. */
export function claimLease(
  db: BetterSqlite3.Database,
  topicId: number,
  group: string,
  owner: string,
  leaseMs: number,
): boolean {
  const now = Date.now();
  const holder = currentHolder(db, topicId, group);
  if (holder && holder.owner !== owner && !lapsed(holder, now)) return false;
  db.prepare(
    `INSERT INTO ey_leases (topic_id, grp, owner, pid, host, expires_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (topic_id, grp) DO UPDATE SET owner = excluded.owner, pid = excluded.pid,
       host = excluded.host, expires_at = excluded.expires_at`,
  ).run(topicId, group, owner, process.pid, HOST, now + leaseMs);
  return true;
}

/** Renews only if still held by `owner`; false when it was lost. */
export function renewLease(
  db: BetterSqlite3.Database,
  topicId: number,
  group: string,
  owner: string,
  leaseMs: number,
): boolean {
  return (
    db
      .prepare('UPDATE ey_leases SET expires_at = ? WHERE topic_id = ? AND grp = ? AND owner = ?')
      .run(Date.now() + leaseMs, topicId, group, owner).changes === 1
  );
}

export function releaseLease(
  db: BetterSqlite3.Database,
  topicId: number,
  group: string,
  owner: string,
): void {
  db.prepare('DELETE FROM ey_leases WHERE topic_id = ? AND grp = ? AND owner = ?').run(
    topicId,
    group,
    owner,
  );
}

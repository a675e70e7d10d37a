/**
 * eventyard's own tables in the store's schema: the inbox (which group
 * handled which event), the outbox (events committed by units of work,
 * waiting for the forwarder) and the rows the broker refused for good.
 * Created under a transaction-scoped advisory lock, since concurrent
 * `CREATE ... IF NOT EXISTS` from several processes can still collide.
 */
import type pg from 'pg';

const DDL = `
CREATE TABLE IF NOT EXISTS ey_inbox (
  grp text NOT NULL,
  event_id text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (grp, event_id)
);
CREATE INDEX IF NOT EXISTS ey_inbox_age ON ey_inbox (handled_at);
CREATE TABLE IF NOT EXISTS ey_outbox (
  id bigserial PRIMARY KEY,
  topic text NOT NULL,
  body text NOT NULL,
  deliver_at bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ey_outbox_rejected (
  id bigint PRIMARY KEY,
  topic text NOT NULL,
  body text NOT NULL,
  deliver_at bigint,
  created_at timestamptz NOT NULL,
  reason text NOT NULL,
  rejected_at timestamptz NOT NULL DEFAULT now()
);`;

/** Creates the schema (if named) and the tables; returns the schema they live in. */
export async function ensureStoreSchema(
  client: pg.ClientBase,
  schema: string | undefined,
): Promise<string> {
  await client.query('BEGIN');
  try {
    await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('eventyard.ddl', 0))`);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(DDL);
    const { rows } = await client.query<{ schema: string | null }>(
      'SELECT current_schema() AS schema',
    );
    await client.query('COMMIT');
    const current = rows[0]?.schema;
    if (!current) throw new Error('no schema on the search_path exists');
    return current;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

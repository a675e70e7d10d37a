/**
 * The jobs app's table: one row per job (the seed's Job entity in MySQL).
 * Written with Kysely's schema builder, so the same migration runs on
 * SQLite and PostgreSQL.
 */
import { type Kysely, type Migration, sql } from 'kysely';
import type { JobStatus } from './names.ts';

export interface JobRow {
  id: string;
  tenant_id: string;
  client_id: string;
  subject: string | null;
  payload_key: string;
  payload_size: number;
  payload_md5: string;
  /** The operation as JSON (job-message.ts `Operation`). */
  operation: string;
  status: JobStatus;
  result_key: string | null;
  result_size: number | null;
  result_content_type: string | null;
  failure_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface JobsDb {
  jobs: JobRow;
}

export const jobsMigrations: Record<string, Migration> = {
  '001-jobs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('payload_key', 'text', (c) => c.notNull())
        .addColumn('payload_size', 'bigint', (c) => c.notNull())
        .addColumn('payload_md5', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('result_key', 'text')
        .addColumn('result_size', 'bigint')
        .addColumn('result_content_type', 'text')
        .addColumn('failure_reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('jobs_tenant')
        .on('jobs')
        .columns(['tenant_id', 'created_at'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`DROP TABLE jobs`.execute(db);
    },
  },
};

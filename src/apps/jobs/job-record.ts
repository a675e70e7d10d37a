/**
 * A job as the API shows it: the seed's fields (`id`, `tenantId`,
 * `clientId`, `payloadLocation`, `payloadSize`, `status`; ids and sizes as
 * strings, as the seed's responses have them), then what eventyard adds:
 * where the result is, and why a job failed.
 */
import { BASE_PATH, type JobStatus, PAYLOADS_BUCKET } from './names.ts';
import type { JobRow } from './schema.ts';

export interface JobView {
  readonly id: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly payloadLocation: string;
  readonly payloadSize: string;
  readonly status: JobStatus;
  readonly resultLocation: string | null;
  readonly resultSize: string | null;
  readonly failureReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function payloadLocationOf(publicUrl: string, id: string): string {
  return `${publicUrl}${BASE_PATH}/job/${id}/payload`;
}

export function resultLocationOf(publicUrl: string, id: string): string {
  return `${publicUrl}${BASE_PATH}/job/${id}/result`;
}

/** Where a job's payload is kept: one key per job, under its tenant. */
export function payloadObjectOf(tenantId: string, id: string): { bucket: string; key: string } {
  return { bucket: PAYLOADS_BUCKET, key: `${encodeURIComponent(tenantId)}/${id}` };
}

export function viewOf(row: JobRow, publicUrl: string): JobView {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    clientId: row.client_id,
    payloadLocation: payloadLocationOf(publicUrl, row.id),
    payloadSize: String(row.payload_size),
    status: row.status,
    resultLocation: row.result_key ? resultLocationOf(publicUrl, row.id) : null,
    resultSize: row.result_size === null ? null : String(row.result_size),
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

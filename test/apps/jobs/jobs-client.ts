/**
 * A client of the job API as the seed's users call it: the bare JWT in
 * Authorization, `{encoding, md5, content}` as JSON. Used by the jobs tests
 * (in this process or against `eventyard run` processes) and the bench.
 */
import { createHash } from 'node:crypto';
import { loadJwtConfig, signToken } from '../../../src/runtime/jwt.ts';
import { waitFor } from '../../support/wait.ts';

export const BASE = '/ptc-file-processor';

export interface JobView {
  id: string;
  tenantId: string;
  clientId: string;
  payloadLocation: string;
  payloadSize: string;
  status: 'RUNNING' | 'SUCCESS' | 'FAILED';
  resultLocation: string | null;
  resultSize: string | null;
  failureReason: string | null;
}

/** A token signed with the configured HS256 secret (the development default unless `env` sets one). */
export function tokenFor(
  tenantId: string,
  clientId = '1',
  env: Record<string, string | undefined> = process.env,
  expiresIn = '1h',
): Promise<string> {
  return signToken(loadJwtConfig(env), { tenantId, clientId, expiresIn });
}

/** The seed's request body for `bytes`. */
export function jobBody(bytes: Uint8Array, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    encoding: 'base64',
    md5: createHash('md5').update(bytes).digest('hex'),
    content: Buffer.from(bytes).toString('base64'),
    ...extra,
  });
}

export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

export class JobsClient {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: string,
    authorization: string | undefined = this.token,
  ): Promise<Answer<T>> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(authorization === undefined ? {} : { authorization }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  create(bytes: Uint8Array, extra: Record<string, unknown> = {}) {
    return this.request<{ jobId: string; payloadLocation: string; payloadSize: string }>(
      'POST',
      `${BASE}/job/image`,
      jobBody(bytes, extra),
    );
  }

  job(id: string) {
    return this.request<JobView>('GET', `${BASE}/job/${id}`);
  }

  /** Polls the status route until the job is no longer RUNNING. */
  async finished(id: string, timeoutMs = 30_000): Promise<JobView> {
    await waitFor(
      `job ${id} to finish`,
      async () => {
        const { status, body } = await this.request<{ status: string }>(
          'GET',
          `${BASE}/job/${id}/status`,
        );
        if (status !== 200) throw new Error(`status of job ${id}: HTTP ${status}`);
        return body.status !== 'RUNNING';
      },
      timeoutMs,
      25,
    );
    return (await this.job(id)).body;
  }

  /** Bytes and content type of a job's payload or result. */
  async bytes(
    id: string,
    what: 'payload' | 'result',
  ): Promise<{ status: number; type: string | null; bytes: Buffer }> {
    const response = await fetch(`${this.url}${BASE}/job/${id}/${what}`, {
      headers: { authorization: this.token },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  }
}

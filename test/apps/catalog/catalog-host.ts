/**
 * The catalog app as `npm start` runs it, in this process, on a temp data
 * dir and an ephemeral port, with a small client of its HTTP API.
 */
import { after, before } from 'node:test';
import { catalogApp } from '../../../src/apps/catalog/app.ts';
import { type Host, startHost } from '../../../src/runtime/host.ts';
import { testConfig } from '../../runtime/test-config.ts';
import { tempDir } from '../../support/temp-dir.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape; each asserts the fields it reads
export interface Answer<T = any> {
  readonly status: number;
  readonly body: T;
}

export interface Accepted {
  commandId: string;
  type: string;
  entityId: string;
  status: 'pending';
  location: string;
}

export interface Outcome {
  commandId: string;
  status: 'pending' | 'accepted' | 'rejected';
  version: number | null;
  reason: { code: string; message: string; field?: string } | null;
  visible: boolean;
}

export class CatalogClient {
  constructor(readonly url: string) {}

  // biome-ignore lint/suspicious/noExplicitAny: as for Answer
  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    raw?: string,
  ): Promise<Answer<T>> {
    const text = raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: text === undefined ? {} : { 'content-type': 'application/json' },
      body: text,
    });
    const answer = await response.text();
    return { status: response.status, body: (answer ? JSON.parse(answer) : undefined) as T };
  }

  /** Sends a command and waits until its effect is visible in the query API (or it is rejected). */
  async command(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Outcome & { entityId: string }> {
    const accepted = await this.request<Accepted>(method, path, body);
    if (accepted.status !== 202)
      throw new Error(
        `${method} ${path}: HTTP ${accepted.status} ${JSON.stringify(accepted.body)}`,
      );
    const outcome = await this.request<Outcome>(
      'GET',
      `${accepted.body.location}?wait=visible&timeoutMs=10000`,
    );
    return { ...outcome.body, entityId: accepted.body.entityId };
  }
}

export interface CatalogHost {
  readonly host: Host;
  readonly url: string;
  readonly client: CatalogClient;
  /** The host's EVENTYARD_DATA_DIR, removed by `close`. */
  readonly dataDir: string;
  close(): Promise<void>;
}

export async function startCatalogHost(env: Record<string, string> = {}): Promise<CatalogHost> {
  const dir = tempDir('eventyard-catalog-');
  const host = await startHost({ config: testConfig(dir.path, env), apps: [catalogApp] });
  return {
    host,
    url: host.url,
    client: new CatalogClient(host.url),
    dataDir: dir.path,
    async close() {
      await host.close();
      dir.remove();
    },
  };
}

/** The seed's example body for `POST /entries/{id}`. */
export const SEED_ENTRY = {
  title: 'My Entry',
  src: 'http://s3.aws.com/1.png',
  description: 'This describes my entry pretty well.',
};

/** A host started before the file's tests and closed after them. */
export function catalogHostForTests(): () => CatalogHost {
  let host: CatalogHost | undefined;
  before(async () => {
    host = await startCatalogHost();
  });
  after(async () => {
    await host?.close();
  });
  return () => host!;
}

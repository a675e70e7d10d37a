/**
 * The jobs app as `npm start` runs it, in this process, on a temp data dir
 * and an ephemeral port.
 */
import { jobsApp } from '../../../src/apps/jobs/app.ts';
import { type Host, startHost } from '../../../src/runtime/host.ts';
import { testConfig } from '../../runtime/test-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { JobsClient, tokenFor } from './jobs-client.ts';

export interface JobsHost {
  readonly host: Host;
  readonly url: string;
  /** A client of tenant 1. */
  readonly client: JobsClient;
  clientOf(tenantId: string): Promise<JobsClient>;
  close(): Promise<void>;
}

export async function startJobsHost(env: Record<string, string> = {}): Promise<JobsHost> {
  const dir = tempDir('eventyard-jobs-');
  const host = await startHost({ config: testConfig(dir.path, env), apps: [jobsApp] });
  const clientOf = async (tenantId: string) => new JobsClient(host.url, await tokenFor(tenantId));
  return {
    host,
    url: host.url,
    client: await clientOf('1'),
    clientOf,
    async close() {
      await host.close();
      dir.remove();
    },
  };
}

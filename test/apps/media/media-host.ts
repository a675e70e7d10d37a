/**
 * The media pipeline as `npm start` runs it (storage.s3 + media), in this
 * process, on a temp data dir and ephemeral ports; with an S3 client and
 * small HTTP helpers for the tests.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { mediaApp } from '../../../src/apps/media/app.ts';
import type { ImageRecord } from '../../../src/apps/media/image-record.ts';
import { storageApp } from '../../../src/apps/storage/app.ts';
import { type Host, startHost } from '../../../src/runtime/host.ts';
import { testConfig } from '../../runtime/test-config.ts';
import { tempDir } from '../../support/temp-dir.ts';
import { waitFor } from '../../support/wait.ts';

export const TEST_KEYS = { accessKeyId: 'eventyard', secretAccessKey: 'eventyard-dev-secret' };

export interface MediaHost {
  readonly host: Host;
  readonly url: string;
  readonly s3Url: string;
  readonly s3: S3Client;
  s3With(credentials: { accessKeyId: string; secretAccessKey: string }): S3Client;
  json<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  /** Waits until the record of `key` (bucket images) reaches a final status. */
  settled(key: string, timeoutMs?: number): Promise<ImageRecord>;
  close(): Promise<void>;
}

export async function startMediaHost(env: Record<string, string> = {}): Promise<MediaHost> {
  const dir = tempDir('eventyard-media-');
  const host = await startHost({
    config: testConfig(dir.path, { EVENTYARD_S3_PORT: '0', ...env }),
    apps: [storageApp, mediaApp],
  });
  const s3Url = host.parts.find((part) => part.service === 'storage.s3')!.url!;
  const clients: S3Client[] = [];
  const s3With = (credentials: { accessKeyId: string; secretAccessKey: string }) => {
    const client = new S3Client({
      endpoint: s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
    });
    clients.push(client);
    return client;
  };
  const json = async <T>(path: string) => {
    const response = await fetch(`${host.url}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  };
  return {
    host,
    url: host.url,
    s3Url,
    s3: s3With(TEST_KEYS),
    s3With,
    json,
    async settled(key, timeoutMs = 20_000) {
      return waitFor(
        `the record of ${key} to settle`,
        async () => {
          const { body } = await json<{ items: ImageRecord[] }>(
            `/media/images?key=${encodeURIComponent(key)}`,
          );
          const record = body.items[0];
          return record && record.status !== 'indexed' ? record : undefined;
        },
        timeoutMs,
        25,
      );
    },
    async close() {
      for (const client of clients) client.destroy();
      await host.close();
      dir.remove();
    },
  };
}

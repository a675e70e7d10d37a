/**
 * The S3 endpoint over the embedded store on an ephemeral port, with an
 * SDK client configured as a user would configure one for MinIO.
 */
import { join } from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SqliteDatabase } from '../../../src/adapters/db/sqlite/sqlite-database.ts';
import { FsObjectStore } from '../../../src/adapters/storage/fs/fs-object-store.ts';
import {
  type RunningS3Gateway,
  type StartS3GatewayOptions,
  startS3Gateway,
} from '../../../src/gateways/s3/s3-gateway.ts';
import { tempDir } from '../../support/temp-dir.ts';

// The SDK warns once per process that its 2027 releases will need Node 22; the tests run on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export const CREDENTIALS = {
  accessKeyId: 'eventyard-test-key',
  secretAccessKey: 'eventyard-test-secret-0123456789',
} as const;

export interface S3Fixture {
  readonly url: string;
  readonly store: FsObjectStore;
  readonly gateway: RunningS3Gateway;
  /** A client with the fixture's credentials; `clientWith` makes others. */
  readonly client: S3Client;
  clientWith(config?: Partial<S3ClientConfig>): S3Client;
  close(): Promise<void>;
}

export async function startS3Fixture(
  options: Partial<Omit<StartS3GatewayOptions, 'store'>> & { storeMaxObjectBytes?: number } = {},
): Promise<S3Fixture> {
  const dir = tempDir('eventyard-s3-');
  const database = new SqliteDatabase({ path: join(dir.path, 'eventyard.db') });
  const store = new FsObjectStore({
    root: join(dir.path, 'objects'),
    database,
    maxObjectBytes: options.storeMaxObjectBytes,
  });
  const gateway = await startS3Gateway({
    credentials: [CREDENTIALS],
    ...options,
    store,
    host: '127.0.0.1',
    port: 0,
  });
  const clients: S3Client[] = [];
  const clientWith = (config: Partial<S3ClientConfig> = {}) => {
    const client = new S3Client({
      endpoint: gateway.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDENTIALS,
      maxAttempts: 1,
      ...config,
    });
    clients.push(client);
    return client;
  };
  const client = clientWith();
  return {
    url: gateway.url,
    store,
    gateway,
    client,
    clientWith,
    async close() {
      for (const c of clients) c.destroy();
      await gateway.close();
      await store.close();
      await database.close();
      dir.remove();
    },
  };
}

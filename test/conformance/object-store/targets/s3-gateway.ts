/**
 * The S3 adapter against eventyard's own S3 endpoint (the storage app, as
 * `npm start` runs it over the embedded store): one host per opened store,
 * over the suite's scope folder as its data dir, so opening the same scope
 * again sees the same buckets and objects.
 */
import { join } from 'node:path';
import { S3ObjectStore } from '../../../../src/adapters/storage/s3/index.ts';
import { parseS3Url } from '../../../../src/adapters/storage/s3/s3-url.ts';
import { storageApp } from '../../../../src/apps/storage/app.ts';
import { type Host, startHost } from '../../../../src/runtime/host.ts';
import { testConfig } from '../../../runtime/test-config.ts';
import type { ObjectStoreTarget } from '../target.ts';

// The SDK warns once per process that its 2027 releases will need Node 22; the tests run on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// A secret with `/` and `+`, which the URL carries percent-encoded.
const ACCESS_KEY = 'conformance-key';
const SECRET_KEY = 'conformance/secret+0123456789';

/** The store over a host of its own, which its close also stops. */
class GatewayBackedStore extends S3ObjectStore {
  readonly #host: Host;

  constructor(url: string, host: Host, maxObjectBytes: number | undefined) {
    super(parseS3Url(url), { maxObjectBytes });
    this.#host = host;
  }

  override async close(): Promise<void> {
    await super.close();
    await this.#host.close();
  }
}

export const target: ObjectStoreTarget = {
  name: 's3-gateway',
  moduleUrl: import.meta.url,
  async open(scope, options = {}) {
    const host = await startHost({
      config: testConfig(join(scope, 'gateway'), {
        EVENTYARD_HOST: '127.0.0.1',
        EVENTYARD_S3_PORT: '0',
        EVENTYARD_S3_ACCESS_KEY: ACCESS_KEY,
        EVENTYARD_S3_SECRET_KEY: SECRET_KEY,
      }),
      apps: [storageApp],
    });
    const endpoint = new URL(host.parts.find((part) => part.service === 'storage.s3')!.url!);
    const secret = encodeURIComponent(SECRET_KEY);
    const url = `s3://${ACCESS_KEY}:${secret}@${endpoint.host}?tls=false`;
    return new GatewayBackedStore(url, host, options.maxObjectBytes);
  },
};

/**
 * The S3 object store adapter: `openS3ObjectStore(url, options)`, for
 * EVENTYARD_OBJECTS naming an S3 server (AWS, MinIO, Ceph, s3rver,
 * eventyard's own S3 endpoint). The URL names a server, never a bucket:
 *
 *     s3://ACCESS:SECRET@HOST[:PORT][?region=R&tls=B&forcePathStyle=B]
 *     http://ACCESS:SECRET@HOST[:PORT][?region=R&forcePathStyle=B]
 *     https://ACCESS:SECRET@HOST[:PORT][?region=R&forcePathStyle=B]
 *     s3://aws[?region=R]        AWS's own endpoint, credentials from the SDK's chain
 *
 * | part | meaning | default |
 * |---|---|---|
 * | ACCESS, SECRET | the key pair, percent-encoded (`/` is `%2F`, `+` is `%2B`) | the SDK's chain: AWS_ACCESS_KEY_ID..., ~/.aws, roles |
 * | `region` | signing region | AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1 |
 * | `tls` | `s3://` over HTTPS (`true`) or HTTP (`false`); `http(s)://` say it themselves | true |
 * | `forcePathStyle` | `/bucket/key` rather than `bucket.host/key` | true, except on AWS |
 *
 * e.g. `s3://minio:minio-secret@127.0.0.1:9000?tls=false`. Anything else
 * (a path, a fragment, an unknown option) is a ConfigError whose message
 * and `details.parameter` name the part at fault; the secret never appears
 * in an error, a log or `store.endpoint` (it is shown as `***`).
 */
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store.ts';
import { parseS3Url } from './s3-url.ts';

export {
  DEFAULT_MAX_OBJECT_BYTES,
  DEFAULT_MEMORY_BUFFER_BYTES,
  S3ObjectStore,
  type S3ObjectStoreOptions,
} from './s3-object-store.ts';
export { parseS3Url, type S3Connection, type S3Credentials } from './s3-url.ts';

export interface OpenS3ObjectStoreOptions extends S3ObjectStoreOptions {
  /** Where AWS_REGION and AWS_DEFAULT_REGION are read. Default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * A store over the S3 endpoint the URL names. Nothing is sent yet: a
 * service may start before its S3 server does. `ready()` checks the
 * endpoint and the credentials.
 */
export function openS3ObjectStore(
  url: string,
  options: OpenS3ObjectStoreOptions = {},
): S3ObjectStore {
  const { env, ...storeOptions } = options;
  return new S3ObjectStore(parseS3Url(url, env), storeOptions);
}

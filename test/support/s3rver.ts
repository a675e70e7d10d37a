/**
 * s3rver (an S3 API server for tests, on npm) on a free loopback port over a
 * temp dir, standing in for MinIO: its object events become MinIO's
 * notification bodies, `{ EventName, Key, Records }`, byte for byte what a
 * MinIO notification target publishes, handed to `onNotification` so a test
 * can publish them on a broker the way MinIO would.
 *
 * s3rver's own event record is AWS's (eventSource aws:s3, no content type,
 * no user metadata, the key unescaped); MinIO's is built from it with the
 * function the embedded store uses (core/bucket-notification.ts). The
 * content type and user metadata are the ones the put stored, taken from
 * s3rver's store as it writes the object.
 *
 * Every bucket notifies every object event (as `mc event add ... --event
 * put,delete` with no prefix or suffix would), in the order s3rver emits
 * them.
 */
import { mkdirSync, rmSync } from 'node:fs';
import S3rver, { type S3rverEvent } from 's3rver';
import {
  type BucketEventName,
  type MinioNotification,
  minioNotification,
} from '../../src/core/bucket-notification.ts';
import type { ObjectInfo } from '../../src/core/object-store.ts';
import { tempDir } from './temp-dir.ts';

// The SDK warns once per process that its 2027 releases will need Node 22; the tests run on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** s3rver's built-in key pair. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface StartS3rverOptions {
  /** Buckets made before the first request. */
  readonly buckets?: readonly string[];
  /** Where the objects are kept (kept on close); default a temp dir, removed on close. */
  readonly directory?: string;
  /**
   * A MinIO notification: `topicKey` is its `Key` (`<bucket>/<key>`, what
   * MinIO's Kafka target uses as the message key), `body` its JSON. Called
   * inside s3rver's request, before it answers: it must not throw (the
   * request would fail with 500). A copy's notification has no content type
   * or user metadata (s3rver's copy does not go through its putObject).
   */
  readonly onNotification?: (topicKey: string, body: string) => void;
}

export interface RunningS3rver {
  /** `http://S3RVER:S3RVER@127.0.0.1:<port>`: an EVENTYARD_OBJECTS value. */
  readonly url: string;
  /** `http://127.0.0.1:<port>`, for an SDK client (path style). */
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly server: S3rver;
  /** Stops the server (and removes its temp dir). */
  close(): Promise<void>;
}

export async function startS3rver(options: StartS3rverOptions = {}): Promise<RunningS3rver> {
  const temp = options.directory === undefined ? tempDir('eventyard-s3rver-') : undefined;
  const directory = options.directory ?? temp!.path;
  mkdirSync(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  tolerateFolderRaces(server);
  const onNotification = options.onNotification;
  if (onNotification) forwardNotifications(server, onNotification);
  let port: number;
  try {
    ({ port } = await server.run());
  } catch (error) {
    temp?.remove();
    throw error;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const { accessKeyId, secretAccessKey } = S3RVER_CREDENTIALS;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${accessKeyId}:${secretAccessKey}@127.0.0.1:${port}`,
    endpoint,
    credentials: S3RVER_CREDENTIALS,
    server,
    close() {
      closed ??= server.close().finally(() => {
        if (temp) rmSync(temp.path, { recursive: true, force: true });
      });
      return closed;
    },
  };
}

/**
 * s3rver 3.7's deleteObject (lib/stores/filesystem.js) removes the object's
 * files, then walks up removing folders it finds empty: two deletes in one
 * folder race there (readdir or rmdir of a folder the other just removed)
 * and answer 500 although the object is gone, and every retry fails the
 * same way. Here a folder that is already gone counts as cleaned up, as it
 * is; the object's own removal is unchanged.
 */
function tolerateFolderRaces(server: S3rver): void {
  const store = server.store;
  const deleteObject = store.deleteObject.bind(store);
  store.deleteObject = async (bucket, key) => {
    try {
      await deleteObject(bucket, key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  };
}

/** What a put stored besides its bytes: content type and x-amz-meta-* headers. */
type StoredHeaders = Readonly<Record<string, string>>;

function forwardNotifications(
  server: S3rver,
  onNotification: (topicKey: string, body: string) => void,
): void {
  // s3rver emits the event right after its store's putObject resolves; the
  // headers that put stored are kept until then (its event does not carry them).
  const stored = new Map<string, StoredHeaders>();
  const store = server.store;
  const putObject = store.putObject.bind(store);
  store.putObject = async (object) => {
    const result = await putObject(object);
    stored.set(`${object.bucket}/${object.key}`, object.metadata);
    return result;
  };
  server.on('event', (event: S3rverEvent) => {
    const record = event.Records[0];
    if (!record) return;
    const id = `${record.s3.bucket.name}/${record.s3.object.key}`;
    const headers = stored.get(id) ?? {};
    stored.delete(id);
    const notification = minioNotificationOf(event, headers);
    if (notification) onNotification(notification.Key, JSON.stringify(notification));
  });
}

/** MinIO's names for s3rver's events (s3rver's Post is a POST upload or a completed multipart one). */
const EVENT_NAMES: Readonly<Record<string, string>> = {
  'ObjectCreated:Put': 's3:ObjectCreated:Put',
  'ObjectCreated:Copy': 's3:ObjectCreated:Copy',
  'ObjectCreated:Post': 's3:ObjectCreated:Post',
  'ObjectRemoved:Delete': 's3:ObjectRemoved:Delete',
};

/**
 * The MinIO notification for one s3rver event, given the headers its put
 * stored; undefined for an event MinIO has no name for.
 */
export function minioNotificationOf(
  event: S3rverEvent,
  headers: StoredHeaders = {},
): MinioNotification | undefined {
  const record = event.Records[0];
  const eventName = record && EVENT_NAMES[record.eventName];
  if (!record || !eventName) return undefined;
  const removed = eventName === 's3:ObjectRemoved:Delete';
  const info: ObjectInfo = {
    bucket: record.s3.bucket.name,
    key: record.s3.object.key,
    size: record.s3.object.size ?? 0,
    etag: record.s3.object.eTag ?? '',
    // s3rver stores binary/octet-stream for a put without Content-Type; MinIO application/octet-stream.
    contentType: contentTypeOf(headers['content-type']),
    userMetadata: userMetadataOf(headers),
    lastModified: new Date(record.eventTime),
  };
  // minioNotification knows Put and Delete; other creations have Put's record shape.
  const built = minioNotification(
    removed ? 's3:ObjectRemoved:Delete' : 's3:ObjectCreated:Put',
    info,
    { topic: '', events: ['s3:*'] },
    {
      principal: S3RVER_CREDENTIALS.accessKeyId,
      sourceIp: record.requestParameters.sourceIPAddress,
      requestId: record.responseElements['x-amz-request-id'],
      time: new Date(record.eventTime),
    },
  );
  const name = eventName as BucketEventName;
  return {
    ...built,
    EventName: name,
    Records: [{ ...built.Records[0], eventName: name }],
  };
}

function contentTypeOf(value: string | undefined): string {
  return value === undefined || value === 'binary/octet-stream'
    ? 'application/octet-stream'
    : value;
}

function userMetadataOf(headers: StoredHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-')) out[name.slice('x-amz-meta-'.length)] = value;
  }
  return out;
}

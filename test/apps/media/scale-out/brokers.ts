/**
 * The server brokers the scale-out media test runs on, each with what MinIO
 * would do with the bucket notifications on that engine: the test's S3
 * server (s3rver) reports each upload, and the MinIO-format body is handed
 * to the engine by the same means MinIO's own notification target uses.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import { IMAGES_BUCKET_EVENT } from '../../../../src/apps/media/names.ts';
import { NATS_URL, removeStreams } from '../../../conformance/targets/nats.ts';
import { removeKeys } from '../../../conformance/targets/redis.ts';
import { skipUnlessReachable } from '../../../support/engines.ts';

export interface MinioTarget {
  /** Sends one notification body (`{EventName, Key, Records}`) as MinIO's target would. */
  send(body: string): Promise<void>;
  close(): Promise<void>;
}

export interface ScaleOutBroker {
  readonly name: string;
  /** EVENTYARD_BROKER for a deployment whose names all start with `prefix`. */
  url(prefix: string): string;
  /** MinIO's notification target for that deployment. */
  minioTarget(prefix: string): Promise<MinioTarget>;
  /** Removes what the deployment left on the server. */
  cleanup(prefix: string): Promise<void>;
  skip(): Promise<string | undefined>;
}

const REDIS_URL = process.env.EVENTYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * MinIO's Redis target (MINIO_NOTIFY_REDIS_FORMAT=access) RPUSHes
 * `[{Event: [record], EventTime}]` to MINIO_NOTIFY_REDIS_KEY; the broker
 * imports that list into the topic (`import=<list>:<topic>`).
 */
export const redisBroker: ScaleOutBroker = {
  name: 'redis',
  url: (prefix) =>
    `${REDIS_URL}?prefix=${prefix}&import=${prefix}:minio-events:${IMAGES_BUCKET_EVENT}`,
  async minioTarget(prefix) {
    const client = new Redis(REDIS_URL);
    return {
      async send(body) {
        const { Records } = JSON.parse(body) as { Records: Array<{ eventTime: string }> };
        const item = [{ Event: Records, EventTime: Records[0]!.eventTime }];
        await client.rpush(`${prefix}:minio-events`, JSON.stringify(item));
      },
      async close() {
        client.disconnect();
      },
    };
  },
  async cleanup(prefix) {
    const client = new Redis(REDIS_URL);
    try {
      await removeKeys(client, `${prefix}:*`);
    } finally {
      client.disconnect();
    }
  },
  skip() {
    const url = new URL(REDIS_URL);
    return skipUnlessReachable('redis', REDIS_URL, url.hostname, Number(url.port || 6379));
  },
};

function natsServer(): string {
  const url = new URL(NATS_URL);
  return `${url.hostname}:${url.port || 4222}`;
}

/**
 * MinIO's NATS target with JetStream on (MINIO_NOTIFY_NATS_JETSTREAM=on)
 * publishes each notification to MINIO_NOTIFY_NATS_SUBJECT and waits for
 * the stream's PubAck; the subject of topic T is `<prefix>.T`.
 */
export const natsBroker: ScaleOutBroker = {
  name: 'nats',
  url: (prefix) => `${NATS_URL}?prefix=${prefix}`,
  async minioTarget(prefix) {
    const nc = await connect({ servers: natsServer() });
    const js = jetstream(nc);
    return {
      async send(body) {
        await js.publish(`${prefix}.${IMAGES_BUCKET_EVENT}`, body);
      },
      close: () => nc.close(),
    };
  },
  async cleanup(prefix) {
    const nc = await connect({ servers: natsServer() });
    try {
      await removeStreams(await jetstreamManager(nc), prefix);
    } finally {
      await nc.close();
    }
  },
  skip() {
    const url = new URL(NATS_URL);
    return skipUnlessReachable('nats', NATS_URL, url.hostname, Number(url.port || 4222));
  },
};

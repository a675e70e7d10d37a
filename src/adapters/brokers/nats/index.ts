/**
 * The NATS JetStream broker: `openNatsTransport(url, options)` for
 * EVENTYARD_BROKER=nats://[user:password@]host[:port][?parameters].
 *
 * Query parameters (each an option of nats-options.ts; an unknown or
 * invalid one is refused with a ConfigError naming it):
 *   prefix=ey              namespace of every stream, subject and consumer
 *   partitions=8           partition subjects per new topic (1-256)
 *   replicas=1             stream replicas on a JetStream cluster (1-5)
 *   ackWaitMs=30000        redelivery after a member died holding events
 *   leaseMs=10000          a dead member's partitions are free after this
 *   durability=process-crash   or power-loss, if the server syncs every write
 *   publishTimeoutMs=30000 how long a publish retries before it rejects
 *   connectTimeoutMs=10000
 *
 * Outside producers: for topic T a stream `<prefix>_T` (dots as '~')
 * captures the subject `<prefix>.T` unpartitioned. A message published
 * there that is not a CloudEvent is adopted (core/foreign-message.ts). So
 * MinIO's NATS target reaches the group consuming `images-bucket-event` with
 *   MINIO_NOTIFY_NATS_ENABLE=on
 *   MINIO_NOTIFY_NATS_ADDRESS=<nats host>:4222
 *   MINIO_NOTIFY_NATS_SUBJECT=ey.images-bucket-event
 *   MINIO_NOTIFY_NATS_JETSTREAM=on
 * The stream must exist before MinIO publishes (it does once a service has
 * subscribed to, or published on, T); JetStream answers MinIO's publish
 * with a PubAck, so MinIO retries until it is stored. Those messages have
 * no partition: members of a group share them without per-key order.
 */
import type { NatsTransportOptions } from './nats-options.ts';
import { NatsTransport } from './nats-transport.ts';

export { streamNameOf } from './nats-names.ts';
export type { NatsTransportOptions } from './nats-options.ts';
export { NatsTransport } from './nats-transport.ts';

/** A transport over the NATS at `url`; `ready()` connects (and fails naming the address). */
export function openNatsTransport(url: string, options: NatsTransportOptions = {}): NatsTransport {
  return new NatsTransport(url, options);
}

/**
 * The RabbitMQ broker: `openRabbitMqTransport(url, options)` for
 * EVENTYARD_BROKER=amqp://user:pass@host:port/vhost[?prefix=...&partitions=...].
 *
 * Foreign producers: a topic T is the stream `<prefix>:T`, bound to the
 * direct exchange `<prefix>` with routing key `T`. MinIO's AMQP target
 * publishes there with MINIO_NOTIFY_AMQP_EXCHANGE=<prefix>,
 * MINIO_NOTIFY_AMQP_EXCHANGE_TYPE=direct, MINIO_NOTIFY_AMQP_ROUTING_KEY=T
 * (and durable delivery); its JSON bodies are adopted as CloudEvents. The
 * binding exists once eventyard has used T (published or subscribed);
 * messages sent before that are unroutable and dropped by RabbitMQ.
 */
import type { RabbitMqTransportOptions } from './rabbitmq-options.ts';
import { RabbitMqTransport } from './rabbitmq-transport.ts';

export type { RabbitMqTransportOptions } from './rabbitmq-options.ts';
export { RabbitMqTransport } from './rabbitmq-transport.ts';
export { removePrefix } from './remove-prefix.ts';

/** A transport over the RabbitMQ at `url`; `ready()` connects (and fails naming the address). */
export function openRabbitMqTransport(
  url: string,
  options: RabbitMqTransportOptions = {},
): RabbitMqTransport {
  return new RabbitMqTransport(url, options);
}

/**
 * The broker adapter an EVENTYARD_BROKER URL names, by its scheme. Each
 * adapter's driver is loaded only when its scheme is used, so a process on
 * the embedded log never loads a network client.
 */
import { ConfigError } from '../core/errors.ts';
import type { Transport } from '../core/transport.ts';
import { engineOf } from './config.ts';

export interface TransportOptions {
  /** Engine trouble the adapter is recovering from by itself (lost connection, say). */
  readonly onError?: (error: Error) => void;
}

export async function openTransport(
  url: string,
  options: TransportOptions = {},
): Promise<Transport> {
  const scheme = engineOf(url);
  switch (scheme) {
    case 'nats': {
      const { openNatsTransport } = await import('../adapters/brokers/nats/index.ts');
      return openNatsTransport(url, { onError: options.onError });
    }
    case 'amqp':
    case 'amqps': {
      const { openRabbitMqTransport } = await import('../adapters/brokers/rabbitmq/index.ts');
      return openRabbitMqTransport(url, { onError: options.onError });
    }
    case 'redis':
    case 'rediss': {
      const { openRedisTransport } = await import('../adapters/brokers/redis/index.ts');
      return openRedisTransport(url, { onError: options.onError });
    }
    default:
      throw new ConfigError(
        `EVENTYARD_BROKER: no broker adapter for ${scheme}:// (use nats://, amqp://, amqps://, redis:// or rediss://)`,
        { path: 'EVENTYARD_BROKER' },
      );
  }
}

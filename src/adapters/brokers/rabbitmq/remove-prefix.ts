/**
 * Deletes everything a prefix declared on the server: topic streams, group
 * registers and member exchanges (as its catalog lists them), the catalog
 * and the exchange. For tests and for retiring a deployment; no process
 * may use the prefix meanwhile.
 */

import type { RabbitMqTransportOptions } from './rabbitmq-options.ts';
import { RabbitMqTransport } from './rabbitmq-transport.ts';

export async function removePrefix(
  url: string,
  options: RabbitMqTransportOptions = {},
): Promise<void> {
  const transport = new RabbitMqTransport(url, options);
  try {
    await transport.ready();
    await transport.removeEverything();
  } finally {
    await transport.close();
  }
}

/**
 * The scale-out engines: a server broker (NATS JetStream, RabbitMQ, Redis
 * Streams), PostgreSQL for app state and S3 for objects, shared by every
 * process of the deployment. A unit of work commits its state and the
 * events it emits (the `ey_outbox` table) in one PostgreSQL transaction;
 * the outbox forwarder running in each process (one leads at a time)
 * publishes them to the broker. Bucket notifications come from the S3
 * server itself (MinIO publishes them to NATS, AMQP or Redis).
 */
import { openPostgresStore } from '../adapters/db/postgres/index.ts';
import { openS3ObjectStore } from '../adapters/storage/s3/index.ts';
import { createBroker } from '../core/create-broker.ts';
import { describeError } from '../core/errors.ts';
import type { Config } from './config.ts';
import type { EngineHealth, EngineOptions, Engines } from './engines.ts';
import { OutboxForwarder } from './outbox-forwarder.ts';
import { openTransport } from './transports.ts';

/** How long a health probe may take before the engine counts as down, ms. */
const PROBE_MS = 2_000;

export async function openScaleOutEngines(
  config: Config,
  options: EngineOptions,
): Promise<Engines> {
  const transport = await openTransport(config.EVENTYARD_BROKER, { onError: options.onError });
  const broker = createBroker(transport, {
    observer: options.observer,
    middleware: options.middleware,
  });
  const objects = openS3ObjectStore(config.EVENTYARD_OBJECTS);
  let store: Awaited<ReturnType<typeof openPostgresStore>> | undefined;
  try {
    await broker.ready();
    store = await openPostgresStore(config.EVENTYARD_STORE, { onError: options.onError });
    await objects.ready();
  } catch (error) {
    await store?.close().catch(() => {});
    await objects.close().catch(() => {});
    await broker.close().catch(() => {});
    throw error;
  }
  const forwarder = new OutboxForwarder({
    source: store.outbox,
    broker,
    onError: options.onError,
  }).start();
  const names = {
    broker: transport.capabilities.engine,
    store: 'postgres',
    objects: objects.capabilities.engine,
  };
  const opened = store;
  return {
    broker,
    store: opened,
    objects,
    engines: names,
    async health() {
      return Promise.all([
        probe('broker', names.broker, () => broker.topics()),
        probe('store', names.store, () => opened.ping()),
        probe('objects', names.objects, () => objects.ready()),
      ]);
    },
    async close() {
      await forwarder.close();
      await broker.close();
      await objects.close();
      await opened.close();
    },
  };
}

async function probe(
  name: EngineHealth['name'],
  engine: string,
  check: () => Promise<unknown>,
): Promise<EngineHealth> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_MS} ms`)), PROBE_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return { name, engine, ok: true };
  } catch (error) {
    return { name, engine, ok: false, detail: describeError(error) };
  } finally {
    clearTimeout(timer);
  }
}

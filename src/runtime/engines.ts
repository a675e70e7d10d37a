/**
 * Opens the engines the configuration names. Unset means embedded: the
 * SQLite log and the SQLite store share one database file under the data
 * dir, so a unit of work is one local transaction.
 */
import { constants, mkdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { SqliteLog } from '../adapters/brokers/embedded/sqlite-log.ts';
import { SqliteDatabase } from '../adapters/db/sqlite/sqlite-database.ts';
import { SqliteStore } from '../adapters/db/sqlite/sqlite-store.ts';
import { FsObjectStore } from '../adapters/storage/fs/fs-object-store.ts';
import type { Broker, Middleware } from '../core/broker.ts';
import { createBroker } from '../core/create-broker.ts';
import { ConfigError } from '../core/errors.ts';
import type { ObjectStore } from '../core/object-store.ts';
import type { BrokerObserver } from '../core/observer.ts';
import type { AppStore } from './app-store.ts';
import { type Config, engineOf } from './config.ts';

export interface EngineHealth {
  readonly name: 'broker' | 'store' | 'objects';
  readonly engine: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface Engines {
  readonly broker: Broker;
  readonly store: AppStore;
  /** Object storage; the embedded one sends bucket notifications through the log. */
  readonly objects: ObjectStore;
  /** Engine names, for logs and /health. */
  readonly engines: { readonly broker: string; readonly store: string; readonly objects: string };
  health(): Promise<EngineHealth[]>;
  /** Closes the broker (draining its subscriptions), then the store. */
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly observer?: BrokerObserver;
  readonly middleware?: readonly Middleware[];
  readonly onError?: (error: Error) => void;
}

export const EMBEDDED_DATABASE = 'eventyard.db';
/** Folder of the embedded object store's blobs, under the data dir. */
export const EMBEDDED_OBJECTS = 'objects';

export async function openEngines(config: Config, options: EngineOptions = {}): Promise<Engines> {
  const brokerEngine = engineOf(config.EVENTYARD_BROKER) || 'embedded';
  const storeEngine = engineOf(config.EVENTYARD_STORE) || 'sqlite';
  if (brokerEngine !== 'embedded') {
    throw new ConfigError(
      `EVENTYARD_BROKER=${config.EVENTYARD_BROKER}: the ${brokerEngine} broker adapter is not in this build yet; leave it unset for the embedded log`,
      { path: 'EVENTYARD_BROKER' },
    );
  }
  if (storeEngine !== 'sqlite') {
    throw new ConfigError(
      `EVENTYARD_STORE=${config.EVENTYARD_STORE}: the ${storeEngine} store is not in this build yet; leave it unset for embedded SQLite`,
      { path: 'EVENTYARD_STORE' },
    );
  }
  const database = new SqliteDatabase({
    path: join(config.EVENTYARD_DATA_DIR, EMBEDDED_DATABASE),
    fsync: config.EVENTYARD_FSYNC,
  });
  const log = new SqliteLog({
    database,
    partitions: config.EVENTYARD_PARTITIONS,
    leaseMs: config.EVENTYARD_LEASE_MS,
    onError: options.onError,
  });
  const broker = createBroker(log, { observer: options.observer, middleware: options.middleware });
  const store = new SqliteStore({ database, outbox: log });
  const objectsRoot = join(config.EVENTYARD_DATA_DIR, EMBEDDED_OBJECTS);
  mkdirSync(objectsRoot, { recursive: true });
  const objects = new FsObjectStore({
    root: objectsRoot,
    database,
    outbox: log,
  });
  return {
    broker,
    store,
    objects,
    engines: { broker: 'embedded', store: 'sqlite', objects: 'fs' },
    async health() {
      const ok = !database.closed;
      let detail: string | undefined;
      try {
        database.reader.prepare('SELECT 1').get();
      } catch (error) {
        detail = (error as Error).message;
      }
      const healthy = ok && detail === undefined;
      const objectsProblem = await access(objectsRoot, constants.W_OK).then(
        () => undefined,
        (error: Error) => error.message,
      );
      return [
        { name: 'broker', engine: 'embedded', ok: healthy, detail: detail ?? database.path },
        { name: 'store', engine: 'sqlite', ok: healthy, detail: detail ?? database.path },
        {
          name: 'objects',
          engine: 'fs',
          ok: objectsProblem === undefined,
          detail: objectsProblem ?? objectsRoot,
        },
      ];
    },
    async close() {
      await broker.close();
      await objects.close();
      await store.close();
      await database.close();
    },
  };
}

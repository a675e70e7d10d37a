/**
 * The embedded engines: the SQLite log and the SQLite store share one
 * database file under the data dir, so a unit of work is one local
 * transaction; objects live in a folder beside it and their bucket
 * notifications commit with their metadata.
 */
import { constants, mkdirSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { SqliteLog } from '../adapters/brokers/embedded/sqlite-log.ts';
import { SqliteDatabase } from '../adapters/db/sqlite/sqlite-database.ts';
import { SqliteStore } from '../adapters/db/sqlite/sqlite-store.ts';
import { FsObjectStore } from '../adapters/storage/fs/fs-object-store.ts';
import { createBroker } from '../core/create-broker.ts';
import type { Config } from './config.ts';
import type { EngineOptions, Engines } from './engines.ts';

export const EMBEDDED_DATABASE = 'eventyard.db';
/** Folder of the embedded object store's blobs, under the data dir. */
export const EMBEDDED_OBJECTS = 'objects';

export function openEmbeddedEngines(config: Config, options: EngineOptions): Engines {
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

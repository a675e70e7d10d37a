/**
 * Opens the engines the configuration names. Unset means embedded (one
 * process, files under EVENTYARD_DATA_DIR). A server broker is scale-out:
 * several processes share the work, so state must be in PostgreSQL and
 * objects in S3; any other mix is refused naming the variable to set.
 */
import type { Broker, Middleware } from '../core/broker.ts';
import { ConfigError } from '../core/errors.ts';
import type { ObjectStore } from '../core/object-store.ts';
import type { BrokerObserver } from '../core/observer.ts';
import type { AppStore } from './app-store.ts';
import { type Config, engineOf } from './config.ts';
import { openEmbeddedEngines } from './embedded-engines.ts';
import { openScaleOutEngines } from './scale-out-engines.ts';

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

const SERVER_STORES = new Set(['postgres', 'postgresql']);
const SERVER_OBJECTS = new Set(['s3', 'http', 'https']);

export async function openEngines(config: Config, options: EngineOptions = {}): Promise<Engines> {
  const broker = engineOf(config.EVENTYARD_BROKER) || 'embedded';
  const store = engineOf(config.EVENTYARD_STORE) || 'sqlite';
  const objects = engineOf(config.EVENTYARD_OBJECTS) || 'file';
  if (broker === 'embedded') {
    if (store !== 'sqlite') {
      throw new ConfigError(
        `EVENTYARD_STORE=${store}://... needs a server broker: the embedded log commits its units of work in its own SQLite file. Set EVENTYARD_BROKER (nats://, amqp://, redis://) or leave EVENTYARD_STORE unset`,
        { path: 'EVENTYARD_STORE' },
      );
    }
    if (objects !== 'file' || config.EVENTYARD_OBJECTS !== '') {
      throw new ConfigError(
        'EVENTYARD_OBJECTS is for scale-out (s3://): the embedded engines keep objects under EVENTYARD_DATA_DIR, with their notifications in the log. Leave it unset, or set EVENTYARD_BROKER and EVENTYARD_STORE too',
        { path: 'EVENTYARD_OBJECTS' },
      );
    }
    return openEmbeddedEngines(config, options);
  }
  if (!SERVER_STORES.has(store)) {
    throw new ConfigError(
      `EVENTYARD_BROKER=${broker}://... runs services as separate processes, so their state must be shared: set EVENTYARD_STORE=postgres://user@host:5432/db`,
      { path: 'EVENTYARD_STORE' },
    );
  }
  if (!SERVER_OBJECTS.has(objects)) {
    throw new ConfigError(
      `EVENTYARD_BROKER=${broker}://... runs services as separate processes, so their objects must be shared: set EVENTYARD_OBJECTS=s3://ACCESS_KEY:SECRET_KEY@host:9000 (MinIO, AWS S3)`,
      { path: 'EVENTYARD_OBJECTS' },
    );
  }
  return openScaleOutEngines(config, options);
}

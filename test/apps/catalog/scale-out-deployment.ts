/**
 * The catalog as a scale-out deployment runs it: one `eventyard run`
 * process per service (api, validator, two persisters sharing their group,
 * materializer) on NATS JetStream, PostgreSQL (a schema of its own) and an
 * S3 server (s3rver; the catalog stores no objects, but the configuration
 * requires one). `close` stops everything and removes what the run left on
 * the servers.
 */
import {
  dropSchema,
  POSTGRES_URL,
  uniqueSchema,
} from '../../adapters/postgres/fixtures/postgres-scope.ts';
import { startS3rver } from '../../support/s3rver.ts';
import { type ServiceProcess, startService } from '../../support/service-process.ts';
import { natsBroker } from '../media/scale-out/brokers.ts';
import { CatalogClient } from './catalog-host.ts';

export interface CatalogDeployment {
  /** EVENTYARD_BROKER, _STORE and _OBJECTS of every process (and of a CLI run beside them). */
  readonly env: Readonly<Record<string, string>>;
  readonly api: ServiceProcess;
  readonly client: CatalogClient;
  /** The two members of the persister group. */
  readonly persisters: readonly ServiceProcess[];
  /** The materializer now running (replaced by `restartMaterializer`). */
  materializer: ServiceProcess;
  /** Starts a materializer again after `stopMaterializer`. */
  restartMaterializer(): Promise<void>;
  stopMaterializer(): Promise<void>;
  /** Every process's output, for a failure message. */
  logs(): string;
  close(): Promise<void>;
}

export async function deployCatalog(): Promise<CatalogDeployment> {
  const prefix = `eycat${uniqueSchema().slice(-8)}`;
  const schema = uniqueSchema();
  const s3rver = await startS3rver();
  const env = {
    EVENTYARD_BROKER: natsBroker.url(prefix),
    EVENTYARD_STORE: `${POSTGRES_URL}?schema=${schema}`,
    EVENTYARD_OBJECTS: s3rver.url,
  };
  const all: ServiceProcess[] = [];
  const close = async () => {
    await Promise.all(all.map((p) => p.stop('SIGKILL')));
    await s3rver.close();
    await natsBroker.cleanup(prefix);
    await dropSchema(schema);
  };
  try {
    // The API first: it applies the migrations.
    const api = await startService(['catalog.api'], env);
    all.push(api);
    const others = await Promise.all([
      startService(['catalog.validator'], env),
      startService(['catalog.persister'], env),
      startService(['catalog.persister'], env),
      startService(['catalog.materializer'], env),
    ]);
    all.push(...others);
    const deployment: CatalogDeployment = {
      env,
      api,
      client: new CatalogClient(api.url),
      persisters: others.slice(1, 3),
      materializer: others.at(-1)!,
      async stopMaterializer() {
        await deployment.materializer.stop();
      },
      async restartMaterializer() {
        deployment.materializer = await startService(['catalog.materializer'], env);
        all.push(deployment.materializer);
      },
      logs: () => all.map((p) => `--- ${p.name}\n${p.output()}`).join('\n'),
      close,
    };
    return deployment;
  } catch (error) {
    await close();
    throw error;
  }
}

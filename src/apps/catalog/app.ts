/**
 * catalog: the event-sourced command and query APIs of seed 001. Command API
 * -> `commands` -> validator (schema and rules on snapshots) ->
 * `catalog-decisions` -> persister (event store, optimistic concurrency) ->
 * `catalog-events` -> materializer (read models) -> query API.
 */
import { defineApp, type ServiceDefinition } from '../../runtime/service.ts';
import { commandRoutes } from './command-routes.ts';
import { materializer } from './materializer.ts';
import { openApiDocument } from './openapi.ts';
import { persister } from './persister.ts';
import { queryRoutes } from './query-routes.ts';
import { type CatalogDb, catalogMigrations } from './schema.ts';
import { validator } from './validator.ts';

/** The command API and the query API, on the host's port. */
const api: ServiceDefinition<CatalogDb> = {
  name: 'api',
  routes(http, context) {
    http.get('/catalog/openapi.json', () => openApiDocument);
    commandRoutes(http, context);
    queryRoutes(http, context);
  },
};

export const catalogApp = defineApp({
  name: 'catalog',
  migrations: catalogMigrations,
  services: [api, validator, persister, materializer],
});

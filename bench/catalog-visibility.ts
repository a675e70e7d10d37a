/**
 * When the catalog's query API first shows each stream version: the catalog
 * app with its materializer observed, so the bench times commands to
 * visibility without polling the host (catalog.ts says why this measures
 * what a client sees).
 *
 * The materializer's handler commits the read models (snapshot, entry or
 * asset row) in its unit of work and returns after the commit; from then a
 * `GET /entries/{id}` (or `/commands/{id}?wait=visible`) reads the new
 * version. The observer notes the wall-clock time at that return, with the
 * stream and the version of the event handled. The handler brings the
 * stream up to date (`catchUp`), so the snapshot is at that version or past
 * it: a version is visible from the first commit noted at it or later.
 */
import { catalogApp } from '../src/apps/catalog/app.ts';
import type { AppDefinition, ServiceDefinition } from '../src/runtime/service.ts';

interface Commit {
  readonly version: number;
  /** Wall-clock ms. */
  readonly at: number;
}

interface StoredEvent {
  readonly event?: { readonly streamId?: string; readonly version?: number };
}

export class VisibilityLog {
  readonly #commits = new Map<string, Commit[]>();

  /** Notes that the read models of `streamId` are at `version` or past it from now. */
  record(streamId: string, version: number): void {
    const commit = { version, at: performance.timeOrigin + performance.now() };
    const commits = this.#commits.get(streamId);
    if (commits) commits.push(commit);
    else this.#commits.set(streamId, [commit]);
  }

  /** Wall-clock ms the query API first showed `version` of `streamId`; undefined if not yet. */
  visibleAt(streamId: string, version: number): number | undefined {
    let first: number | undefined;
    for (const commit of this.#commits.get(streamId) ?? []) {
      if (commit.version >= version && (first === undefined || commit.at < first)) {
        first = commit.at;
      }
    }
    return first;
  }
}

function observed(service: ServiceDefinition, log: VisibilityLog): ServiceDefinition {
  const { subscriptions } = service;
  if (!subscriptions) throw new Error(`service ${service.name} has no subscriptions to observe`);
  return {
    ...service,
    subscriptions: (context) =>
      subscriptions(context).map((subscription) => ({
        ...subscription,
        handler: async (event, handlerContext) => {
          await subscription.handler(event, handlerContext);
          const stored = (event.data as StoredEvent).event;
          if (stored?.streamId !== undefined && stored.version !== undefined) {
            log.record(stored.streamId, stored.version);
          }
        },
      })),
  };
}

/** The catalog app unchanged, but for its materializer noting each commit in `log`. */
export function observedCatalogApp(log: VisibilityLog): AppDefinition {
  return {
    ...catalogApp,
    services: catalogApp.services.map((service) =>
      service.name === 'materializer' ? observed(service, log) : service,
    ),
  };
}

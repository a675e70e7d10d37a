/**
 * The event store: one stream per entity in `catalog_events`, each event at
 * its version. An append inserts at the versions the events name; a second
 * writer at the same version hits the primary key and fails, so an append
 * decided on a stale state can never land (the persister re-decides).
 */
import type { Kysely, Transaction } from 'kysely';
import {
  type CatalogEvent,
  catalogEventSchema,
  type EntityKind,
  type EntityState,
  evolve,
  initialState,
} from './domain/index.ts';
import type { CatalogDb } from './schema.ts';

type Db = Kysely<CatalogDb> | Transaction<CatalogDb>;

/** A stored event with when it was recorded. */
export interface RecordedEvent {
  readonly event: CatalogEvent;
  readonly eventId: string;
  readonly recordedAt: string;
}

export async function readStream(
  db: Db,
  streamId: string,
  afterVersion = 0,
): Promise<RecordedEvent[]> {
  const rows = await db
    .selectFrom('catalog_events')
    .select(['event', 'event_id', 'recorded_at'])
    .where('stream_id', '=', streamId)
    .where('version', '>', afterVersion)
    .orderBy('version')
    .execute();
  return rows.map((row) => ({
    event: catalogEventSchema.parse(JSON.parse(row.event)),
    eventId: row.event_id,
    recordedAt: row.recorded_at,
  }));
}

/** The stream's current version: 0 when it has no events. */
export async function streamVersion(db: Db, streamId: string): Promise<number> {
  const row = await db
    .selectFrom('catalog_events')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

/** The stream's state, folded from every event it has. */
export async function streamState(
  db: Db,
  kind: EntityKind,
  streamId: string,
): Promise<EntityState> {
  let state: EntityState = initialState(kind);
  for (const { event } of await readStream(db, streamId)) state = evolve(state, event);
  return state;
}

/** Appends the events at the versions they name; throws if one is taken. */
export async function append(
  tx: Transaction<CatalogDb>,
  events: readonly CatalogEvent[],
  commandId: string,
  recordedAt: string,
  eventIds: readonly string[],
): Promise<void> {
  if (events.length === 0) return;
  await tx
    .insertInto('catalog_events')
    .values(
      events.map((event, i) => ({
        stream_id: event.streamId,
        version: event.version,
        event_id: eventIds[i]!,
        type: event.type,
        event: JSON.stringify(event),
        command_id: commandId,
        recorded_at: recordedAt,
      })),
    )
    .execute();
}

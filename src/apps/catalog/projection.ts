/**
 * The read models, kept by the materializer and rebuilt by `eventyard
 * catalog rebuild`: both go through `catchUp`, which applies a stream's
 * events beyond its snapshot's version, so a redelivered or reordered
 * notification applies nothing twice and skips nothing. Rows take their
 * times from the events, so a rebuild yields exactly the rows that were.
 */
import type { Transaction } from 'kysely';
import {
  type CatalogEvent,
  type EntityKind,
  type EntityState,
  type EventOf,
  evolve,
  initialState,
} from './domain/index.ts';
import { readStream } from './event-store.ts';
import type { CatalogDb } from './schema.ts';

export function kindOfStream(streamId: string): EntityKind {
  return streamId.startsWith('entry-') ? 'entry' : 'asset';
}

/** The snapshot the validator reads: initial when the stream has none yet. */
export async function snapshotOf(
  db: Pick<Transaction<CatalogDb>, 'selectFrom'>,
  kind: EntityKind,
  streamId: string,
): Promise<EntityState> {
  const row = await db
    .selectFrom('catalog_snapshots')
    .select('state')
    .where('stream_id', '=', streamId)
    .executeTakeFirst();
  return row ? (JSON.parse(row.state) as EntityState) : initialState(kind);
}

/** Applies what the stream has beyond its snapshot; returns how many events were applied. */
export async function catchUp(tx: Transaction<CatalogDb>, streamId: string): Promise<number> {
  const kind = kindOfStream(streamId);
  // Holds the stream's snapshot row until commit: two materializers on one
  // stream (a partition handover, a redelivery) then take turns, and the
  // second sees what the first wrote instead of writing an older version
  // over it (PostgreSQL reads committed rows; SQLite has one writer anyway).
  await tx
    .insertInto('catalog_snapshots')
    .values({ stream_id: streamId, version: 0, state: JSON.stringify(initialState(kind)) })
    .onConflict((oc) =>
      oc
        .column('stream_id')
        .doUpdateSet((eb) => ({ version: eb.ref('catalog_snapshots.version') })),
    )
    .execute();
  let state = await snapshotOf(tx, kind, streamId);
  const known = state.version;
  const events = await readStream(tx, streamId, known);
  for (const { event, recordedAt } of events) {
    state = evolve(state, event);
    await applyToRows(tx, event, recordedAt);
  }
  if (events.length === 0) return 0;
  const row = { stream_id: streamId, version: state.version, state: JSON.stringify(state) };
  await tx
    .insertInto('catalog_snapshots')
    .values(row)
    .onConflict((oc) =>
      oc.column('stream_id').doUpdateSet({ version: row.version, state: row.state }),
    )
    .execute();
  return events.length;
}

async function applyToRows(
  tx: Transaction<CatalogDb>,
  event: CatalogEvent,
  at: string,
): Promise<void> {
  switch (event.type) {
    case 'entryCreated':
      await tx
        .insertInto('catalog_entries')
        .values({ ...entryColumns(event), created_at: at, updated_at: at })
        .execute();
      return;
    case 'entryUpdated':
      await tx
        .updateTable('catalog_entries')
        .set({ ...entryColumns(event), updated_at: at })
        .where('id', '=', event.data.id)
        .execute();
      return;
    case 'entryDeleted':
      await tx.deleteFrom('catalog_entries').where('id', '=', event.data.id).execute();
      return;
    case 'assetCreated':
      await tx
        .insertInto('catalog_assets')
        .values({ ...assetColumns(event), created_at: at, updated_at: at })
        .execute();
      return;
    case 'assetUpdated':
      await tx
        .updateTable('catalog_assets')
        .set({ ...assetColumns(event), updated_at: at })
        .where('id', '=', event.data.id)
        .execute();
      return;
    case 'assetDeleted':
      await tx.deleteFrom('catalog_assets').where('id', '=', event.data.id).execute();
      return;
  }
}

/** An entry's row as a create or update event leaves it (times aside). */
function entryColumns(event: EventOf<'entryCreated' | 'entryUpdated'>) {
  const { id, title, src, description } = event.data;
  return { id, title, src, description: description ?? null, version: event.version };
}

/** An asset's row as a create or update event leaves it (times aside). */
function assetColumns(event: EventOf<'assetCreated' | 'assetUpdated'>) {
  const { id, entryId, title, src, description, contentType } = event.data;
  return {
    id,
    entry_id: entryId,
    title,
    src,
    description: description ?? null,
    content_type: contentType ?? null,
    version: event.version,
  };
}

/**
 * The query API of seed 001 over the read models: entries and assets,
 * newest last, in pages (`limit`, and `next` as given back), with filters on
 * the obvious fields; one entity by id; and each entity's event history from
 * the event store. A deleted entity is 404 here, its history stays.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../core/errors.ts';
import { parseInput } from '../../runtime/http-input.ts';
import type { ServiceContext } from '../../runtime/service.ts';
import { idSchema, streamIdOf } from './domain/index.ts';
import { readStream } from './event-store.ts';
import type { AssetRow, CatalogDb, EntryRow } from './schema.ts';

const page = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  next: z.string().max(200).optional(),
};
const entriesQuery = z.strictObject({ ...page, title: z.string().min(1).max(200).optional() });
const assetsQuery = z.strictObject({
  ...page,
  title: z.string().min(1).max(200).optional(),
  entryId: idSchema.optional(),
  contentType: z.string().min(1).max(255).optional(),
});
const idParams = z.object({ id: idSchema });

function entryView(row: EntryRow) {
  return {
    id: row.id,
    title: row.title,
    src: row.src,
    ...(row.description === null ? {} : { description: row.description }),
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function assetView(row: AssetRow) {
  return {
    id: row.id,
    entryId: row.entry_id,
    title: row.title,
    src: row.src,
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.content_type === null ? {} : { contentType: row.content_type }),
    version: Number(row.version),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The cursor is the last id of the page: ids are UUIDs, so pages follow id order. */
function cursorOf(next: string | undefined): string | undefined {
  if (next === undefined) return undefined;
  const parsed = idSchema.safeParse(next);
  if (!parsed.success)
    throw new ValidationError('next is not a cursor this API gave out', {
      path: 'next',
      in: 'query',
    });
  return parsed.data;
}

/** Case-insensitive substring match, the same on SQLite and PostgreSQL. */
const contains = (text: string) =>
  sql<boolean>`lower(title) like ${`%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;

export function queryRoutes(http: FastifyInstance, { store }: ServiceContext<CatalogDb>): void {
  http.get('/entries', async (request) => {
    const q = parseInput(entriesQuery, request.query, 'query');
    const after = cursorOf(q.next);
    let query = store.db.selectFrom('catalog_entries').selectAll();
    if (q.title) query = query.where(contains(q.title));
    if (after) query = query.where('id', '>', after);
    const rows = await query
      .orderBy('id')
      .limit(q.limit + 1)
      .execute();
    const items = rows.slice(0, q.limit);
    return { items: items.map(entryView), next: rows.length > q.limit ? items.at(-1)!.id : null };
  });

  http.get('/assets', async (request) => {
    const q = parseInput(assetsQuery, request.query, 'query');
    const after = cursorOf(q.next);
    let query = store.db.selectFrom('catalog_assets').selectAll();
    if (q.title) query = query.where(contains(q.title));
    if (q.entryId) query = query.where('entry_id', '=', q.entryId);
    if (q.contentType) query = query.where('content_type', '=', q.contentType);
    if (after) query = query.where('id', '>', after);
    const rows = await query
      .orderBy('id')
      .limit(q.limit + 1)
      .execute();
    const items = rows.slice(0, q.limit);
    return { items: items.map(assetView), next: rows.length > q.limit ? items.at(-1)!.id : null };
  });

  http.get('/entries/:id', async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const row = await store.db
      .selectFrom('catalog_entries')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`no entry ${id}`, { path: 'id', kind: 'entry' });
    return entryView(row);
  });

  http.get('/assets/:id', async (request) => {
    const { id } = parseInput(idParams, request.params, 'params');
    const row = await store.db
      .selectFrom('catalog_assets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`no asset ${id}`, { path: 'id', kind: 'asset' });
    return assetView(row);
  });

  for (const kind of ['entry', 'asset'] as const) {
    http.get(`/${kind === 'entry' ? 'entries' : 'assets'}/:id/events`, async (request) => {
      const { id } = parseInput(idParams, request.params, 'params');
      const events = await readStream(store.db, streamIdOf(kind, id));
      if (events.length === 0)
        throw new NotFoundError(`no ${kind} ${id} ever existed`, { path: 'id', kind });
      return {
        items: events.map(({ event, eventId, recordedAt }) => ({ ...event, eventId, recordedAt })),
      };
    });
  }
}

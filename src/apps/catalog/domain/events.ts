/**
 * The six domain events the validator emits and the persister appends.
 *
 * Shape, after emmett's `{type, data, metadata}`: `streamId` names the
 * entity's stream (`entry-<id>` / `asset-<id>`) and `version` the position the
 * event takes in it, from 1, so the persister appends with expected version
 * `version - 1` and a stale decision is caught by the store. `data` carries
 * the entity's full fields (updates are full replacements), so a read model is
 * built from one event without reading the previous row. Time, ids and trace
 * context belong to the envelope, not here: decide stays pure.
 *
 * The schemas exist because events cross a topic between validator and
 * persister: whoever reads them from outside the process checks them with
 * `catalogEventSchema`.
 */
import { z } from 'zod';
import { assetBodySchema, entryBodySchema, idSchema, userSchema } from './schemas.ts';

export const EVENT_TYPES = [
  'entryCreated',
  'entryUpdated',
  'entryDeleted',
  'assetCreated',
  'assetUpdated',
  'assetDeleted',
] as const;
export type CatalogEventType = (typeof EVENT_TYPES)[number];

const entryDataSchema = entryBodySchema.extend({ id: idSchema });
const assetDataSchema = assetBodySchema.extend({ id: idSchema });
/**
 * `previousEntryId` is set when an update moves the asset to another entry,
 * so a projection counting live assets per entry needs no lookup.
 */
const assetUpdatedDataSchema = assetDataSchema.extend({ previousEntryId: idSchema.optional() });
/** `entryId` lets the same projection decrement the right entry on delete. */
const assetDeletedDataSchema = z.strictObject({ id: idSchema, entryId: idSchema });
const entryDeletedDataSchema = z.strictObject({ id: idSchema });

const metadataSchema = z.strictObject({ user: userSchema });

function eventOf<T extends CatalogEventType, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({
    type: z.literal(type),
    streamId: z.string().regex(/^(entry|asset)-[0-9a-f-]{36}$/),
    version: z.number().int().min(1),
    data,
    metadata: metadataSchema,
  });
}

export const catalogEventSchema = z.discriminatedUnion('type', [
  eventOf('entryCreated', entryDataSchema),
  eventOf('entryUpdated', entryDataSchema),
  eventOf('entryDeleted', entryDeletedDataSchema),
  eventOf('assetCreated', assetDataSchema),
  eventOf('assetUpdated', assetUpdatedDataSchema),
  eventOf('assetDeleted', assetDeletedDataSchema),
]);

export type CatalogEvent = z.output<typeof catalogEventSchema>;
export type EventOf<T extends CatalogEventType> = Extract<CatalogEvent, { type: T }>;

export type EntryCreated = EventOf<'entryCreated'>;
export type EntryUpdated = EventOf<'entryUpdated'>;
export type EntryDeleted = EventOf<'entryDeleted'>;
export type AssetCreated = EventOf<'assetCreated'>;
export type AssetUpdated = EventOf<'assetUpdated'>;
export type AssetDeleted = EventOf<'assetDeleted'>;

export type EventMetadata = CatalogEvent['metadata'];

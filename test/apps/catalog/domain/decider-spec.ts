/**
 * Given/When/Then for the catalog's decider, after emmett's DeciderSpecification:
 * given the events of a stream, when a command arrives (with its context),
 * then these events, or this rejection. No I/O anywhere.
 */
import assert from 'node:assert/strict';
import {
  type CatalogEvent,
  type Command,
  type DecideContext,
  decide,
  type EntityKind,
  type RejectionCode,
  stateOf,
} from '../../../../src/apps/catalog/domain/index.ts';

export const ENTRY_ID = 'c987af87-6183-4ee6-8989-d7f38d1f15e2';
export const OTHER_ENTRY_ID = '0b4c5e2a-8f0d-4b8e-9f3a-1c2d3e4f5a6b';
export const ASSET_ID = '5f0e6c1a-2b3c-4d5e-8f70-8192a3b4c5d6';
export const USER = 1;

export const entryBody = {
  title: 'My Entry',
  src: 'http://s3.aws.com/1.png',
  description: 'This describes my entry pretty well.',
};

export const assetBody = {
  title: 'Cover',
  src: 'https://cdn.example.com/cover.png',
  entryId: ENTRY_ID,
  contentType: 'image/png',
};

const meta = { user: USER };

export const commands = {
  createEntry: (body = entryBody, id = ENTRY_ID): Command =>
    ({ type: 'createEntry', body, params: { id }, meta }) as Command,
  updateEntry: (body: object = entryBody, id = ENTRY_ID): Command =>
    ({ type: 'updateEntry', body, params: { id }, meta }) as Command,
  deleteEntry: (id = ENTRY_ID): Command => ({ type: 'deleteEntry', params: { id }, meta }),
  createAsset: (body: object = assetBody, id = ASSET_ID): Command =>
    ({ type: 'createAsset', body, params: { id }, meta }) as Command,
  updateAsset: (body: object = assetBody, id = ASSET_ID): Command =>
    ({ type: 'updateAsset', body, params: { id }, meta }) as Command,
  deleteAsset: (id = ASSET_ID): Command => ({ type: 'deleteAsset', params: { id }, meta }),
};

const head = (kind: EntityKind, id: string, version: number) => ({
  streamId: `${kind}-${id}`,
  version,
  metadata: meta,
});

export const events = {
  entryCreated: (version = 1, body = entryBody, id = ENTRY_ID): CatalogEvent => ({
    ...head('entry', id, version),
    type: 'entryCreated',
    data: { ...body, id },
  }),
  entryUpdated: (version: number, body: typeof entryBody, id = ENTRY_ID): CatalogEvent => ({
    ...head('entry', id, version),
    type: 'entryUpdated',
    data: { ...body, id },
  }),
  entryDeleted: (version: number, id = ENTRY_ID): CatalogEvent => ({
    ...head('entry', id, version),
    type: 'entryDeleted',
    data: { id },
  }),
  assetCreated: (version = 1, body = assetBody, id = ASSET_ID): CatalogEvent => ({
    ...head('asset', id, version),
    type: 'assetCreated',
    data: { ...body, id },
  }),
  assetUpdated: (version: number, body: object, id = ASSET_ID): CatalogEvent =>
    ({
      ...head('asset', id, version),
      type: 'assetUpdated',
      data: { ...body, id },
    }) as CatalogEvent,
  assetDeleted: (version: number, entryId = ENTRY_ID, id = ASSET_ID): CatalogEvent => ({
    ...head('asset', id, version),
    type: 'assetDeleted',
    data: { id, entryId },
  }),
};

/** Context in which an asset's entry is live and has no assets. */
export const liveEntry: DecideContext = {
  entry: stateOf('entry', [events.entryCreated()]),
  liveAssets: 0,
};

export function given(kind: EntityKind, ...history: CatalogEvent[]) {
  const state = stateOf(kind, history);
  return {
    when(command: Command, context: DecideContext = {}) {
      const decision = decide(command, state, context);
      return {
        thenEmits(...expected: CatalogEvent[]): void {
          assert.deepEqual(decision, { ok: true, events: expected });
        },
        thenRejected(code: RejectionCode, field?: string): void {
          assert.equal(decision.ok, false, `expected ${code}, got ${JSON.stringify(decision)}`);
          if (decision.ok) return;
          assert.equal(decision.reason.code, code);
          if (field !== undefined) assert.equal(decision.reason.field, field);
          assert.ok(decision.reason.message.length > 0);
        },
      };
    },
  };
}

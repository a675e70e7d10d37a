import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  contextQueryOf,
  initialState,
  MissingContextError,
  stateOf,
} from '../../../../src/apps/catalog/domain/index.ts';
import {
  ASSET_ID,
  assetBody,
  commands,
  ENTRY_ID,
  events,
  given,
  liveEntry,
  OTHER_ENTRY_ID,
} from './decider-spec.ts';

const deletedEntry = { entry: stateOf('entry', [events.entryCreated(), events.entryDeleted(2)]) };
const noEntry = { entry: initialState('entry') };
const retitled = { ...assetBody, title: 'Back cover' };

describe('createAsset', () => {
  test('given no stream and a live entry, when createAsset, then assetCreated', () => {
    given('asset').when(commands.createAsset(), liveEntry).thenEmits(events.assetCreated(1));
  });

  test('given no stream, when createAsset names an entry never created, then entry_not_found', () => {
    given('asset')
      .when(commands.createAsset(), noEntry)
      .thenRejected('entry_not_found', 'body.entryId');
  });

  test('given no stream, when createAsset names a deleted entry, then entry_not_found', () => {
    given('asset')
      .when(commands.createAsset(), deletedEntry)
      .thenRejected('entry_not_found', 'body.entryId');
  });

  test('given an asset, when createAsset with its id, then id_taken', () => {
    given('asset', events.assetCreated())
      .when(commands.createAsset(), liveEntry)
      .thenRejected('id_taken', 'params.id');
  });

  test('given a deleted asset, when createAsset with its id, then id_taken', () => {
    given('asset', events.assetCreated(), events.assetDeleted(2))
      .when(commands.createAsset(), liveEntry)
      .thenRejected('id_taken');
  });

  test('given no stream, when createAsset without the entry, then the glue is told', () => {
    assert.throws(() => given('asset').when(commands.createAsset()), MissingContextError);
  });
});

describe('updateAsset', () => {
  test('given an asset, when updateAsset, then assetUpdated', () => {
    given('asset', events.assetCreated())
      .when(commands.updateAsset(retitled), liveEntry)
      .thenEmits(events.assetUpdated(2, retitled));
  });

  test('given an asset, when updateAsset moves it to another live entry, then assetUpdated names the previous entry', () => {
    const moved = { ...assetBody, entryId: OTHER_ENTRY_ID };
    const other = { entry: stateOf('entry', [events.entryCreated(1, undefined, OTHER_ENTRY_ID)]) };
    given('asset', events.assetCreated())
      .when(commands.updateAsset(moved), other)
      .thenEmits(events.assetUpdated(2, { ...moved, previousEntryId: ENTRY_ID }));
  });

  test('given an asset, when updateAsset moves it to a deleted entry, then entry_not_found', () => {
    given('asset', events.assetCreated())
      .when(commands.updateAsset({ ...assetBody, entryId: OTHER_ENTRY_ID }), deletedEntry)
      .thenRejected('entry_not_found', 'body.entryId');
  });

  test('given an asset, when updateAsset changes nothing, then no event', () => {
    given('asset', events.assetCreated()).when(commands.updateAsset(), liveEntry).thenEmits();
  });

  test('given an asset, when updateAsset leaves out contentType, then it is cleared', () => {
    const { contentType: _dropped, ...bare } = assetBody;
    given('asset', events.assetCreated())
      .when(commands.updateAsset(bare), liveEntry)
      .thenEmits(events.assetUpdated(2, bare));
  });

  test('given no stream, when updateAsset, then not_found', () => {
    given('asset').when(commands.updateAsset(), liveEntry).thenRejected('not_found', 'params.id');
  });

  test('given a deleted asset, when updateAsset, then deleted', () => {
    given('asset', events.assetCreated(), events.assetDeleted(2))
      .when(commands.updateAsset(retitled), liveEntry)
      .thenRejected('deleted');
  });
});

describe('deleteAsset', () => {
  test('given an asset, when deleteAsset, then assetDeleted names its entry', () => {
    given('asset', events.assetCreated(), events.assetUpdated(2, retitled))
      .when(commands.deleteAsset())
      .thenEmits(events.assetDeleted(3, ENTRY_ID));
  });

  test('given an asset whose entry is gone, when deleteAsset, then it is still deleted', () => {
    given('asset', events.assetCreated())
      .when(commands.deleteAsset(), deletedEntry)
      .thenEmits(events.assetDeleted(2));
  });

  test('given no stream, when deleteAsset, then not_found', () => {
    given('asset').when(commands.deleteAsset()).thenRejected('not_found');
  });

  test('given a deleted asset, when deleteAsset again, then deleted', () => {
    given('asset', events.assetCreated(), events.assetDeleted(2))
      .when(commands.deleteAsset())
      .thenRejected('deleted');
  });
});

test('contextQueryOf asks for the entry of asset writes and the asset count of entry deletes', () => {
  assert.deepEqual(contextQueryOf(commands.createAsset()), { entryId: ENTRY_ID });
  assert.deepEqual(contextQueryOf(commands.updateAsset()), { entryId: ENTRY_ID });
  assert.deepEqual(contextQueryOf(commands.deleteEntry()), { liveAssetsOf: ENTRY_ID });
  assert.deepEqual(contextQueryOf(commands.deleteAsset()), {});
  assert.deepEqual(contextQueryOf(commands.createEntry()), {});
  assert.deepEqual(contextQueryOf(commands.updateEntry()), {});
  assert.equal(ASSET_ID.length, 36);
});

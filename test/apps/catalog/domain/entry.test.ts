import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decide,
  initialState,
  MissingContextError,
} from '../../../../src/apps/catalog/domain/index.ts';
import { commands, entryBody, events, given } from './decider-spec.ts';

const renamed = { ...entryBody, title: 'Renamed' };

describe('createEntry', () => {
  test('given no stream, when createEntry, then entryCreated at version 1', () => {
    given('entry').when(commands.createEntry()).thenEmits(events.entryCreated(1));
  });

  test('given an entry, when createEntry with its id, then id_taken', () => {
    given('entry', events.entryCreated())
      .when(commands.createEntry())
      .thenRejected('id_taken', 'params.id');
  });

  test('given a deleted entry, when createEntry with its id, then id_taken: ids are not reused', () => {
    given('entry', events.entryCreated(), events.entryDeleted(2))
      .when(commands.createEntry())
      .thenRejected('id_taken', 'params.id');
  });
});

describe('updateEntry', () => {
  test('given an entry, when updateEntry with new fields, then entryUpdated at the next version', () => {
    given('entry', events.entryCreated())
      .when(commands.updateEntry(renamed))
      .thenEmits(events.entryUpdated(2, renamed));
  });

  test('given an entry, when updateEntry leaves out description, then it is cleared (full replacement)', () => {
    const { description: _dropped, ...bare } = entryBody;
    given('entry', events.entryCreated())
      .when(commands.updateEntry(bare))
      .thenEmits(events.entryUpdated(2, bare as typeof entryBody));
  });

  test('given an entry, when updateEntry with the same fields in another order, then no event', () => {
    const reordered = {
      description: entryBody.description,
      src: entryBody.src,
      title: entryBody.title,
    };
    given('entry', events.entryCreated()).when(commands.updateEntry(reordered)).thenEmits();
  });

  test('given no stream, when updateEntry, then not_found', () => {
    given('entry').when(commands.updateEntry(renamed)).thenRejected('not_found', 'params.id');
  });

  test('given a deleted entry, when updateEntry, then deleted', () => {
    given('entry', events.entryCreated(), events.entryDeleted(2))
      .when(commands.updateEntry(renamed))
      .thenRejected('deleted', 'params.id');
  });
});

describe('deleteEntry', () => {
  test('given an entry without assets, when deleteEntry, then entryDeleted', () => {
    given('entry', events.entryCreated(), events.entryUpdated(2, renamed))
      .when(commands.deleteEntry(), { liveAssets: 0 })
      .thenEmits(events.entryDeleted(3));
  });

  test('given an entry with live assets, when deleteEntry, then entry_has_assets', () => {
    given('entry', events.entryCreated())
      .when(commands.deleteEntry(), { liveAssets: 2 })
      .thenRejected('entry_has_assets', 'params.id');
  });

  test('given no stream, when deleteEntry, then not_found', () => {
    given('entry').when(commands.deleteEntry(), { liveAssets: 0 }).thenRejected('not_found');
  });

  test('given a deleted entry, when deleteEntry again, then deleted', () => {
    given('entry', events.entryCreated(), events.entryDeleted(2))
      .when(commands.deleteEntry(), { liveAssets: 0 })
      .thenRejected('deleted');
  });

  test('given an entry, when deleteEntry without the asset count, then the glue is told, not the client', () => {
    const state = given('entry', events.entryCreated());
    assert.throws(() => state.when(commands.deleteEntry()), MissingContextError);
  });
});

test('a command given the state of the other kind is a bug in the glue', () => {
  assert.throws(() => decide(commands.createEntry(), initialState('asset')), MissingContextError);
});

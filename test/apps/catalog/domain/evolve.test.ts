import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CorruptStreamError,
  evolve,
  initialState,
  isLive,
  stateOf,
} from '../../../../src/apps/catalog/domain/index.ts';
import { assetBody, entryBody, events } from './decider-spec.ts';

describe('evolve', () => {
  test('a new stream is version 0, not created, not deleted', () => {
    assert.deepEqual(initialState('entry'), {
      kind: 'entry',
      exists: false,
      deleted: false,
      version: 0,
      fields: null,
    });
  });

  test('create, update and delete move the state and count the version', () => {
    const renamed = { ...entryBody, title: 'Renamed' };
    const created = evolve(initialState('entry'), events.entryCreated());
    assert.deepEqual(created.fields, entryBody);
    assert.equal(isLive(created), true);
    const updated = evolve(created, events.entryUpdated(2, renamed));
    assert.deepEqual(updated.fields, renamed);
    assert.equal(updated.version, 2);
    const deleted = evolve(updated, events.entryDeleted(3));
    assert.deepEqual(deleted, {
      kind: 'entry',
      exists: true,
      deleted: true,
      version: 3,
      fields: null,
    });
    assert.equal(isLive(deleted), false);
  });

  test("an asset's fields drop the event-only previousEntryId", () => {
    const state = stateOf('asset', [
      events.assetCreated(),
      events.assetUpdated(2, { ...assetBody, previousEntryId: assetBody.entryId }),
    ]);
    assert.deepEqual(state.fields, assetBody);
  });

  test('evolve does not change the state it is given', () => {
    const state = initialState('asset');
    evolve(state, events.assetCreated());
    assert.equal(state.version, 0);
  });

  const corrupt: Array<[string, () => unknown]> = [
    ['a gap in versions', () => stateOf('entry', [events.entryCreated(), events.entryDeleted(3)])],
    ['a replayed event', () => stateOf('entry', [events.entryCreated(), events.entryCreated()])],
    ['an event of the other kind', () => stateOf('asset', [events.entryCreated()])],
    ['a second create', () => stateOf('entry', [events.entryCreated(), events.entryCreated(2)])],
    ['an update before a create', () => stateOf('entry', [events.entryUpdated(1, entryBody)])],
    [
      'an event after a delete',
      () =>
        stateOf('entry', [
          events.entryCreated(),
          events.entryDeleted(2),
          events.entryUpdated(3, entryBody),
        ]),
    ],
  ];
  for (const [what, fold] of corrupt) {
    test(`${what} is a corrupt stream`, () => {
      assert.throws(fold, CorruptStreamError);
    });
  }
});

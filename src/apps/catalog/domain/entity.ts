/**
 * The state of one entity's stream, folded from its events: what `decide`
 * needs to judge the next command, and what the validator keeps as a
 * snapshot. `evolve` is pure and total over valid streams; an event that could
 * not follow the state (wrong kind, a gap in versions, an update after a
 * delete) means the stream is corrupt, and it throws rather than guess.
 */
import { EventyardError } from '../../../core/errors.ts';
import type { AssetBody, EntityKind, EntryBody } from './commands.ts';
import type { CatalogEvent } from './events.ts';

interface StreamState<K extends EntityKind, F> {
  readonly kind: K;
  /** A create has been applied: the id is taken for good, even once deleted. */
  readonly exists: boolean;
  /** A delete has been applied; nothing follows it. */
  readonly deleted: boolean;
  /** The number of events applied: 0 for a stream never written. */
  readonly version: number;
  /** The fields of the last create or update; null before a create and after a delete. */
  readonly fields: F | null;
}

export type EntryState = StreamState<'entry', EntryBody>;
export type AssetState = StreamState<'asset', AssetBody>;
export type EntityState = EntryState | AssetState;

/** A stream's events cannot be folded: the store holds what decide never emits. */
export class CorruptStreamError extends EventyardError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('EY_CATALOG_CORRUPT_STREAM', message, details);
  }
}

export function initialState(kind: 'entry'): EntryState;
export function initialState(kind: 'asset'): AssetState;
export function initialState(kind: EntityKind): EntityState;
export function initialState(kind: EntityKind): EntityState {
  return { kind, exists: false, deleted: false, version: 0, fields: null };
}

/** Created and not deleted: the only state that accepts updates, deletes and references. */
export function isLive(state: EntityState): boolean {
  return state.exists && !state.deleted;
}

function kindOfEvent(event: CatalogEvent): EntityKind {
  return event.type.startsWith('entry') ? 'entry' : 'asset';
}

function fieldsOf(event: CatalogEvent): EntryBody | AssetBody | null {
  switch (event.type) {
    case 'entryCreated':
    case 'entryUpdated': {
      const { id: _id, ...fields } = event.data;
      return fields;
    }
    case 'assetCreated':
    case 'assetUpdated': {
      const {
        id: _id,
        previousEntryId: _previous,
        ...fields
      } = event.data as typeof event.data & {
        previousEntryId?: string;
      };
      return fields;
    }
    default:
      return null;
  }
}

function refuse(state: EntityState, event: CatalogEvent, why: string): never {
  throw new CorruptStreamError(`${event.type} at version ${event.version} ${why}`, {
    path: event.streamId,
    stateVersion: state.version,
    eventVersion: event.version,
  });
}

export function evolve(state: EntryState, event: CatalogEvent): EntryState;
export function evolve(state: AssetState, event: CatalogEvent): AssetState;
export function evolve(state: EntityState, event: CatalogEvent): EntityState;
export function evolve(state: EntityState, event: CatalogEvent): EntityState {
  if (kindOfEvent(event) !== state.kind) refuse(state, event, `cannot apply to an ${state.kind}`);
  if (event.version !== state.version + 1) {
    refuse(state, event, `does not follow version ${state.version}`);
  }
  if (state.deleted) refuse(state, event, 'follows a delete');
  const version = event.version;
  if (event.type.endsWith('Created')) {
    if (state.exists) refuse(state, event, 'creates an entity that exists');
    return { ...state, exists: true, version, fields: fieldsOf(event) } as EntityState;
  }
  if (!state.exists) refuse(state, event, 'changes an entity never created');
  if (event.type.endsWith('Deleted')) return { ...state, deleted: true, version, fields: null };
  return { ...state, version, fields: fieldsOf(event) } as EntityState;
}

/** The state after a whole stream, as the persister reads it back on a stale version. */
export function stateOf(kind: 'entry', events: Iterable<CatalogEvent>): EntryState;
export function stateOf(kind: 'asset', events: Iterable<CatalogEvent>): AssetState;
export function stateOf(kind: EntityKind, events: Iterable<CatalogEvent>): EntityState;
export function stateOf(kind: EntityKind, events: Iterable<CatalogEvent>): EntityState {
  let state = initialState(kind);
  for (const event of events) state = evolve(state, event);
  return state;
}

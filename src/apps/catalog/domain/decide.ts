/**
 * The catalog's business rules, as one pure function: `decide(command, state,
 * context)` returns the events a command causes or the reason it is refused.
 * No I/O: the stream's state comes folded by `evolve`, and what lies outside
 * the stream comes as plain data in `context` (`contextQueryOf` says what to
 * look up), so the validator, the persister re-deciding on a stale version,
 * and the tests all run the same rules.
 *
 * Rules:
 * 1. A create names a new id. An id that exists, or existed and was deleted,
 *    is refused (`id_taken`): ids are never reused, so a late event or a
 *    cached link can never land on a different entity.
 * 2. An update or delete names a live entity: never created is `not_found`,
 *    deleted is `deleted`. Deleting twice is refused, not ignored: the client
 *    learns that its view was stale.
 * 3. An update is a full replacement (the seed's POST sends the whole body):
 *    an optional field left out is cleared. An update that changes nothing is
 *    accepted with no event: the stream and its version stay as they are, so a
 *    retried or duplicated update costs nothing and read models see no noise.
 * 4. An asset's create or update names a live entry in `body.entryId`
 *    (`entry_not_found` otherwise). An update may move an asset to another
 *    live entry; its event then carries `previousEntryId`.
 * 5. An entry with live assets cannot be deleted (`entry_has_assets`): the
 *    alternative, cascading the delete, would write to many streams for one
 *    command, which the per-stream optimistic concurrency cannot make atomic.
 *    Deleting the assets first keeps every step a single-stream write.
 * 6. Deleting an asset needs nothing but the asset: its entry may be gone.
 *
 * Rules 4 and 5 span two streams and are checked against the context, a
 * snapshot: a createAsset and a deleteEntry racing each other can both pass,
 * as they can in the seed. The stream's own rules (1–3) are exact, because the
 * persister appends at the decided version and re-decides when it is stale.
 */
import { EventyardError } from '../../../core/errors.ts';
import type { AssetBody, Command, EntityKind, EntryBody } from './commands.ts';
import { kindOf, streamIdOf } from './commands.ts';
import { type EntityState, type EntryState, isLive } from './entity.ts';
import type { CatalogEvent } from './events.ts';
import type { Rejection } from './rejection.ts';

/** What decide knows beyond the stream itself. */
export interface DecideContext {
  /** createAsset, updateAsset: the state of the entry `body.entryId` names (initial if it has no stream). */
  readonly entry?: EntryState;
  /** deleteEntry: how many live assets name this entry. */
  readonly liveAssets?: number;
}

/** What the caller must look up to build a command's context. */
export interface ContextQuery {
  /** Load the state of this entry's stream into `context.entry`. */
  readonly entryId?: string;
  /** Count the live assets of this entry into `context.liveAssets`. */
  readonly liveAssetsOf?: string;
}

export type Decision =
  | { readonly ok: true; readonly events: readonly CatalogEvent[] }
  | { readonly ok: false; readonly reason: Rejection };

/** The glue built a context without what `contextQueryOf` asked for: a bug, not a rejection. */
export class MissingContextError extends EventyardError {
  constructor(message: string) {
    super('EY_CATALOG_CONTEXT', message);
  }
}

export function contextQueryOf(command: Command): ContextQuery {
  switch (command.type) {
    case 'createAsset':
    case 'updateAsset':
      return { entryId: command.body.entryId };
    case 'deleteEntry':
      return { liveAssetsOf: command.params.id };
    default:
      return {};
  }
}

const accept = (...events: CatalogEvent[]): Decision => ({ ok: true, events });
const reject = (reason: Rejection): Decision => ({ ok: false, reason });

function noun(kind: EntityKind): string {
  return kind === 'entry' ? 'Entry' : 'Asset';
}

/** Rule 2: the target of an update or delete must be live. */
function requireLive(kind: EntityKind, id: string, state: EntityState): Rejection | undefined {
  if (!state.exists) {
    return { code: 'not_found', message: `${noun(kind)} ${id} does not exist`, field: 'params.id' };
  }
  if (state.deleted) {
    return { code: 'deleted', message: `${noun(kind)} ${id} was deleted`, field: 'params.id' };
  }
  return undefined;
}

/** Rule 4: the entry an asset names must be live. */
function requireLiveEntry(entryId: string, context: DecideContext): Rejection | undefined {
  if (context.entry === undefined) {
    throw new MissingContextError(`deciding an asset needs context.entry for entry ${entryId}`);
  }
  if (isLive(context.entry)) return undefined;
  const why = context.entry.deleted ? 'was deleted' : 'does not exist';
  return { code: 'entry_not_found', message: `Entry ${entryId} ${why}`, field: 'body.entryId' };
}

/** Flat bodies of strings: equal when every present field is equal. */
function sameFields(a: EntryBody | AssetBody | null, b: EntryBody | AssetBody): boolean {
  if (a === null) return false;
  const left = Object.entries(a).filter(([, v]) => v !== undefined);
  const right = Object.entries(b).filter(([, v]) => v !== undefined);
  const byKey = new Map(left);
  return left.length === right.length && right.every(([k, v]) => byKey.get(k) === v);
}

export function decide(
  command: Command,
  state: EntityState,
  context: DecideContext = {},
): Decision {
  const kind = kindOf(command);
  if (state.kind !== kind) {
    throw new MissingContextError(`${command.type} was given the state of an ${state.kind}`);
  }
  const id = command.params.id;
  const head = {
    streamId: streamIdOf(kind, id),
    version: state.version + 1,
    metadata: { user: command.meta.user },
  };

  switch (command.type) {
    case 'createEntry':
    case 'createAsset': {
      if (state.exists) {
        const why = state.deleted ? 'existed and was deleted; ids are not reused' : 'exists';
        return reject({
          code: 'id_taken',
          message: `${noun(kind)} ${id} ${why}`,
          field: 'params.id',
        });
      }
      if (command.type === 'createEntry') {
        return accept({ ...head, type: 'entryCreated', data: { ...command.body, id } });
      }
      const missing = requireLiveEntry(command.body.entryId, context);
      if (missing) return reject(missing);
      return accept({ ...head, type: 'assetCreated', data: { ...command.body, id } });
    }
    case 'updateEntry': {
      const dead = requireLive(kind, id, state);
      if (dead) return reject(dead);
      if (sameFields(state.fields, command.body)) return accept();
      return accept({ ...head, type: 'entryUpdated', data: { ...command.body, id } });
    }
    case 'updateAsset': {
      const dead = requireLive(kind, id, state);
      if (dead) return reject(dead);
      const missing = requireLiveEntry(command.body.entryId, context);
      if (missing) return reject(missing);
      if (sameFields(state.fields, command.body)) return accept();
      const before = (state.fields as AssetBody).entryId;
      const moved = before !== command.body.entryId ? { previousEntryId: before } : {};
      return accept({ ...head, type: 'assetUpdated', data: { ...command.body, id, ...moved } });
    }
    case 'deleteEntry': {
      const dead = requireLive(kind, id, state);
      if (dead) return reject(dead);
      if (context.liveAssets === undefined) {
        throw new MissingContextError(`deleteEntry needs context.liveAssets for entry ${id}`);
      }
      if (context.liveAssets > 0) {
        const message = `Entry ${id} still has ${context.liveAssets} asset(s); delete them first`;
        return reject({ code: 'entry_has_assets', message, field: 'params.id' });
      }
      return accept({ ...head, type: 'entryDeleted', data: { id } });
    }
    case 'deleteAsset': {
      const dead = requireLive(kind, id, state);
      if (dead) return reject(dead);
      const { entryId } = state.fields as AssetBody;
      return accept({ ...head, type: 'assetDeleted', data: { id, entryId } });
    }
  }
}

/**
 * What decide needs beyond the stream (`contextQueryOf` says what), and the
 * recording of a command's outcome. The validator builds the context from
 * the read models (snapshots); the persister, re-deciding on a stale
 * version, reads the entry from the event store itself.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  type Command,
  contextQueryOf,
  type DecideContext,
  type EntryState,
  kindOf,
  type Rejection,
  streamIdOf,
} from './domain/index.ts';
import { streamState } from './event-store.ts';
import { snapshotOf } from './projection.ts';
import type { CatalogDb, CommandRow } from './schema.ts';

type Db = Transaction<CatalogDb>;

export async function contextOf(
  db: Db,
  command: Command,
  source: 'snapshots' | 'event-store',
): Promise<DecideContext> {
  const query = contextQueryOf(command);
  const context: { entry?: EntryState; liveAssets?: number } = {};
  if (query.entryId !== undefined) {
    const stream = streamIdOf('entry', query.entryId);
    context.entry = (
      source === 'snapshots'
        ? await snapshotOf(db, 'entry', stream)
        : await streamState(db, 'entry', stream)
    ) as EntryState;
  }
  if (query.liveAssetsOf !== undefined) {
    const row = await db
      .selectFrom('catalog_assets')
      .select((eb) => eb.fn.countAll().as('count'))
      .where('entry_id', '=', query.liveAssetsOf)
      .executeTakeFirst();
    context.liveAssets = Number(row?.count ?? 0);
  }
  return context;
}

/** The command's row as it first is: pending (the API writes it; a command from elsewhere gets it here). */
export function pendingRow(
  commandId: string,
  command: Pick<Command, 'type' | 'params'>,
  now: string,
): CommandRow {
  const kind = kindOf(command);
  return {
    id: commandId,
    type: command.type,
    stream_id: streamIdOf(kind, command.params.id),
    entity_id: command.params.id,
    status: 'pending',
    version: null,
    reason_code: null,
    reason_message: null,
    reason_field: null,
    created_at: now,
    decided_at: null,
  };
}

type Outcome =
  | { readonly status: 'accepted'; readonly version: number }
  | { readonly status: 'rejected'; readonly reason: Rejection };

/** Writes the command's one outcome (creating its row if the command came from elsewhere). */
export async function recordOutcome(
  db: Db,
  row: CommandRow,
  outcome: Outcome,
  now: string,
): Promise<void> {
  const decided =
    outcome.status === 'accepted'
      ? { status: 'accepted' as const, version: outcome.version, decided_at: now }
      : {
          status: 'rejected' as const,
          reason_code: outcome.reason.code,
          reason_message: outcome.reason.message,
          reason_field: outcome.reason.field ?? null,
          decided_at: now,
        };
  await db
    .insertInto('catalog_commands')
    .values({ ...row, ...decided })
    .onConflict((oc) => oc.column('id').doUpdateSet(decided))
    .execute();
}

/** Commands not decided yet, or accepted and not yet shown by the read models. */
export async function countUnsettled(db: Kysely<CatalogDb>): Promise<number> {
  const row = await db
    .selectFrom('catalog_commands as c')
    .leftJoin('catalog_snapshots as s', 's.stream_id', 'c.stream_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) =>
      eb.or([
        eb('c.status', '=', 'pending'),
        eb.and([
          eb('c.status', '=', 'accepted'),
          eb.or([eb('s.version', 'is', null), eb('s.version', '<', eb.ref('c.version'))]),
        ]),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * What the catalog crash test holds the event store to, as pure functions
 * over its tables: each returns the offenders, so an assertion shows them.
 */
import type { CatalogEvent, CommandType } from '../../../src/apps/catalog/domain/index.ts';
import type { CommandRow, EventRow } from '../../../src/apps/catalog/schema.ts';
import type { SentCommand } from './crash-workload.ts';

const EVENT_OF: Record<CommandType, CatalogEvent['type']> = {
  createEntry: 'entryCreated',
  updateEntry: 'entryUpdated',
  deleteEntry: 'entryDeleted',
  createAsset: 'assetCreated',
  updateAsset: 'assetUpdated',
  deleteAsset: 'assetDeleted',
};

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Streams whose versions are not exactly 1..n: `[stream, versions]`. */
export function brokenStreams(events: readonly EventRow[]): [string, number[]][] {
  return [...groupBy(events, (e) => e.stream_id)]
    .map(([stream, rows]): [string, number[]] => [
      stream,
      rows.map((row) => Number(row.version)).sort((a, b) => a - b),
    ])
    .filter(([, versions]) => versions.some((version, i) => version !== i + 1));
}

/** Commands answered 202 that have no row, or a row still pending. */
export function undecided(sent: readonly SentCommand[], commands: readonly CommandRow[]) {
  const byId = new Map(commands.map((row) => [row.id, row]));
  return sent
    .filter((command) => byId.get(command.commandId)?.status !== 'accepted')
    .filter((command) => byId.get(command.commandId)?.status !== 'rejected')
    .map((command) => [command.commandId, command.type, byId.get(command.commandId)?.status]);
}

/** Commands whose outcome is not the one their content calls for whatever the races. */
export function unexpectedOutcomes(sent: readonly SentCommand[], commands: readonly CommandRow[]) {
  const byId = new Map(commands.map((row) => [row.id, row]));
  return sent.flatMap((command) => {
    const row = byId.get(command.commandId);
    if (!command.expect || !row) return [];
    const outcome = row.status === 'rejected' ? `rejected: ${row.reason_code}` : row.status;
    return outcome === command.expect ? [] : [[command.commandId, command.type, outcome]];
  });
}

/** Events of a command that is not accepted (rejected, pending or unknown). */
export function eventsWithoutAcceptedCommand(
  events: readonly EventRow[],
  commands: readonly CommandRow[],
) {
  const accepted = new Set(commands.filter((row) => row.status === 'accepted').map((r) => r.id));
  return events
    .filter((event) => !accepted.has(event.command_id))
    .map((event) => [event.stream_id, event.version, event.command_id]);
}

/** Flat objects of strings, compared whatever their key order. */
function canonical(fields: Readonly<Record<string, unknown>> | null | undefined): string {
  return JSON.stringify(
    fields ? Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)) : null,
  );
}

/** The fields an entity's create or update event set, without its id (the body sent). */
function fieldsOf(event: CatalogEvent): Record<string, unknown> {
  const { id: _id, previousEntryId: _moved, ...fields } = event.data as Record<string, unknown>;
  return fields;
}

/** The entity's fields as of `version`: those of its last create or update up to there. */
function fieldsAt(stream: readonly EventRow[], version: number): Record<string, unknown> | null {
  const set = stream
    .filter((row) => Number(row.version) <= version)
    .map((row) => JSON.parse(row.event) as CatalogEvent)
    .filter((event) => !event.type.endsWith('Deleted'))
    .at(-1);
  return set ? fieldsOf(set) : null;
}

/**
 * Accepted commands whose events are not exactly what they should be: one
 * event of the command's type, on its stream, at the version its outcome
 * names, carrying the body sent; or, only for an update, no event, when the
 * entity already had that body at that version. Never two.
 */
export function wrongEvents(
  events: readonly EventRow[],
  commands: readonly CommandRow[],
  sent: readonly SentCommand[],
): unknown[][] {
  const perCommand = groupBy(events, (e) => e.command_id);
  const perStream = groupBy(events, (e) => e.stream_id);
  const bodies = new Map(sent.map((command) => [command.commandId, command.body]));
  return commands.flatMap((row) => {
    if (row.status !== 'accepted') return [];
    const own = perCommand.get(row.id) ?? [];
    const body = bodies.get(row.id);
    const wrong = (why: string) => [[row.id, row.type, row.stream_id, row.version, why]];
    if (own.length > 1) return wrong(`${own.length} events`);
    const [stored] = own;
    if (!stored) {
      if (!row.type.startsWith('update')) return wrong('no event');
      const stream = perStream.get(row.stream_id) ?? [];
      const before = fieldsAt(stream, Number(row.version));
      if (body && canonical(before) !== canonical(body)) {
        return wrong(`no event, yet the entity had ${JSON.stringify(before)}`);
      }
      return [];
    }
    const event = JSON.parse(stored.event) as CatalogEvent;
    if (stored.stream_id !== row.stream_id) return wrong(`event on ${stored.stream_id}`);
    if (Number(stored.version) !== Number(row.version)) {
      return wrong(`event at version ${stored.version}`);
    }
    if (event.type !== EVENT_OF[row.type as CommandType]) return wrong(`a ${event.type} event`);
    if (body && canonical(fieldsOf(event)) !== canonical(body)) {
      return wrong(`event carries ${JSON.stringify(fieldsOf(event))}`);
    }
    return [];
  });
}

/**
 * The six commands of seed 001, named exactly as the seed names them, and the
 * one way in for a raw message: `parseCommand`, which turns anything read from
 * topic `commands` into a typed command or a rejection naming the field.
 */
import type { z } from 'zod';
import { type COMMAND_TYPES, commandSchema, fieldIssuesOf } from './schemas.ts';

export { COMMAND_TYPES } from './schemas.ts';

export type CommandType = (typeof COMMAND_TYPES)[number];

export type Command = z.output<typeof commandSchema>;
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

export type CreateEntry = CommandOf<'createEntry'>;
export type UpdateEntry = CommandOf<'updateEntry'>;
export type DeleteEntry = CommandOf<'deleteEntry'>;
export type CreateAsset = CommandOf<'createAsset'>;
export type UpdateAsset = CommandOf<'updateAsset'>;
export type DeleteAsset = CommandOf<'deleteAsset'>;

export type EntryBody = CreateEntry['body'];
export type AssetBody = CreateAsset['body'];
export type User = Command['meta']['user'];

export type EntityKind = 'entry' | 'asset';

/** Which kind of stream a command writes to. */
export function kindOf(command: Pick<Command, 'type'>): EntityKind {
  return command.type.endsWith('Entry') ? 'entry' : 'asset';
}

/** The event stream of one entity: `entry-<id>` or `asset-<id>`. */
export function streamIdOf(kind: EntityKind, id: string): string {
  return `${kind}-${id.toLowerCase()}`;
}

/** A command refused before any business rule ran: its shape is wrong. */
export interface InvalidCommand {
  readonly code: 'invalid_command';
  readonly message: string;
  readonly field: string;
  readonly issues: ReadonlyArray<{ readonly field: string; readonly message: string }>;
}

export type ParsedCommand =
  | { readonly ok: true; readonly command: Command }
  | { readonly ok: false; readonly reason: InvalidCommand };

/**
 * Checks a raw message against the command schema. Never throws: a malformed
 * message is data to reject (and dead-letter), not a crash of the validator.
 */
export function parseCommand(raw: unknown): ParsedCommand {
  const result = commandSchema.safeParse(raw);
  if (result.success) return { ok: true, command: result.data };
  const issues = fieldIssuesOf(result.error);
  const first = issues[0] ?? { field: '(root)', message: 'is not a command' };
  return {
    ok: false,
    reason: {
      code: 'invalid_command',
      message: `${first.field} ${first.message}`,
      field: first.field,
      issues,
    },
  };
}

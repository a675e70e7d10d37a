/**
 * Why a command was refused, as data: the validator publishes it, the command
 * API may answer with it. Codes are stable (clients branch on them); `errorOf`
 * turns one into eventyard's error classes, so HTTP maps it to a status in the
 * one place that does that.
 */
import {
  ConflictError,
  type EventyardError,
  NotFoundError,
  ValidationError,
} from '../../../core/errors.ts';

export const REJECTION_CODES = [
  /** The command's shape is wrong (schema); `field` names the culprit. */
  'invalid_command',
  /** A create names an id that exists or existed: ids are never reused. */
  'id_taken',
  /** An update or delete names an id never created. */
  'not_found',
  /** An update or delete names an id already deleted. */
  'deleted',
  /** An asset names an entry that does not exist or was deleted. */
  'entry_not_found',
  /** An entry still has live assets and cannot be deleted. */
  'entry_has_assets',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
  /** The field at fault, dotted from the command (`body.entryId`, `params.id`). */
  readonly field?: string;
}

/** The rejection as an error: 400 for bad input, 404 for a missing target, 409 for a conflict. */
export function errorOf(rejection: Rejection): EventyardError {
  const details = {
    rejection: rejection.code,
    ...(rejection.field ? { path: rejection.field } : {}),
  };
  switch (rejection.code) {
    case 'invalid_command':
    case 'entry_not_found':
      return new ValidationError(rejection.message, details);
    case 'not_found':
    case 'deleted':
      return new NotFoundError(rejection.message, details);
    case 'id_taken':
    case 'entry_has_assets':
      return new ConflictError(rejection.message, details);
  }
}

/**
 * eventyard's error classes. Every error carries a stable `code` (part of the
 * public contract: logs, HTTP bodies and CLI output name it) and the original
 * `cause` where there is one. HTTP maps codes to statuses in one place
 * (`httpStatusOf`), so a handler never picks a status by hand.
 */

export interface ErrorDetails {
  /** What the error is about: a field path, a variable name, a topic. */
  readonly path?: string;
  readonly cause?: unknown;
  readonly [key: string]: unknown;
}

export class EventyardError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, details: ErrorDetails = {}) {
    const { cause, ...rest } = details;
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.details = rest;
  }

  toJSON(): Record<string, unknown> {
    return { ...this.details, code: this.code, message: this.message };
  }
}

/** Input from outside does not have the required shape. HTTP 400. */
export class ValidationError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_VALIDATION', message, details);
  }
}

/** A configuration value is refused; `path` names the variable. */
export class ConfigError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_CONFIG', message, details);
  }
}

/** No credentials, or credentials that do not prove who is asking (bad signature, expired). HTTP 401. */
export class UnauthorizedError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_UNAUTHORIZED', message, details);
  }
}

/** Valid credentials that do not grant this (another audience, no tenant). HTTP 403. */
export class ForbiddenError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_FORBIDDEN', message, details);
  }
}

/** The thing asked for does not exist. HTTP 404. */
export class NotFoundError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_NOT_FOUND', message, details);
  }
}

/** A write lost a race (stale version, group already active). HTTP 409/412. */
export class ConflictError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_CONFLICT', message, details);
  }
}

/** The engine cannot do what was asked; its capabilities say so. HTTP 501. */
export class UnsupportedError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_UNSUPPORTED', message, details);
  }
}

/** The component was closed and takes no more work. HTTP 503. */
export class ClosedError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_CLOSED', message, details);
  }
}

/** A handler ran past its policy's timeout. Retried like any failure. */
export class TimeoutError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_TIMEOUT', message, details);
  }
}

/** An engine could not be reached or refused the operation. HTTP 503. */
export class EngineError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_ENGINE', message, details);
  }
}

/**
 * Thrown by a handler for an event that can never succeed (malformed,
 * refers to nothing). Skips the remaining attempts: the event goes to the
 * dead-letter topic at once with this error as its reason.
 */
export class PermanentError extends EventyardError {
  constructor(message: string, details: ErrorDetails = {}) {
    super('EY_PERMANENT', message, details);
  }
}

const statusByCode: Record<string, number> = {
  EY_VALIDATION: 400,
  EY_UNAUTHORIZED: 401,
  EY_FORBIDDEN: 403,
  EY_NOT_FOUND: 404,
  EY_CONFLICT: 409,
  EY_TOO_LARGE: 413,
  EY_UNSUPPORTED_MEDIA_TYPE: 415,
  EY_UNSUPPORTED: 501,
  EY_CLOSED: 503,
  EY_ENGINE: 503,
  EY_TIMEOUT: 504,
};

/** The HTTP status for an error: its code's status, 500 for anything else. */
export function httpStatusOf(error: unknown): number {
  if (error instanceof EventyardError) return statusByCode[error.code] ?? 500;
  return 500;
}

/** A one-line reason for logs and dead letters, with the cause chain. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const own = error instanceof EventyardError ? `${error.code}: ${error.message}` : error.message;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? own : `${own} (caused by ${describeError(cause)})`;
}

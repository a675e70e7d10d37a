/** The catalog's topics and the statuses of a command's outcome. */

/** The seed's topic: command messages `{type, body, params: {id}, meta: {user}}`. */
export const COMMANDS = 'commands';
/** Validator -> persister: a command with the events it was decided to cause. */
export const DECISIONS = 'catalog-decisions';
/** Persister -> materializer: events as appended to the event store. */
export const CATALOG_EVENTS = 'catalog-events';

export const COMMAND_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

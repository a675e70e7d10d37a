/**
 * The catalog's domain: schemas, commands, events and the pure rules
 * (`decide` / `evolve`). Services, routes and storage build on this; nothing
 * here does I/O.
 */
export {
  type AssetBody,
  COMMAND_TYPES,
  type Command,
  type CommandOf,
  type CommandType,
  type EntityKind,
  type EntryBody,
  type InvalidCommand,
  kindOf,
  type ParsedCommand,
  parseCommand,
  streamIdOf,
  type User,
} from './commands.ts';
export {
  type ContextQuery,
  contextQueryOf,
  type DecideContext,
  type Decision,
  decide,
  MissingContextError,
} from './decide.ts';
export {
  type AssetState,
  CorruptStreamError,
  type EntityState,
  type EntryState,
  evolve,
  initialState,
  isLive,
  stateOf,
} from './entity.ts';
export {
  type CatalogEvent,
  type CatalogEventType,
  catalogEventSchema,
  EVENT_TYPES,
  type EventOf,
} from './events.ts';
export { errorOf, REJECTION_CODES, type Rejection, type RejectionCode } from './rejection.ts';
export {
  assetBodySchema,
  catalogJsonSchemas,
  commandSchema,
  entryBodySchema,
  type FieldIssue,
  fieldIssuesOf,
  idSchema,
} from './schemas.ts';

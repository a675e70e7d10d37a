/**
 * The shapes the catalog accepts from outside: the entry and asset bodies of
 * the command API, the seed's command message on topic `commands`, and their
 * JSON Schemas for the OpenAPI document (the seed keeps the body schemas in
 * settings.json; here one zod schema is both the check and the docs).
 *
 * Every object is strict: an unknown field is refused, never dropped, so a
 * client's typo (`titel`) fails loudly instead of storing an entry without a
 * title change. Updates are full replacements, as the seed's
 * `POST /entries/{id}` sends the whole body: an update body is checked by the
 * same schema as a create body, and an optional field left out is cleared.
 */
import { z } from 'zod';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 5000;
export const URL_MAX = 2048;
export const USER_MAX = 256;

/**
 * A UUID, lowercased: UUIDs are case-insensitive, and `C987…` and `c987…`
 * must name one stream, or an id could be reused by changing its case.
 */
export const idSchema = z.uuid({ error: 'must be a UUID' }).overwrite((id) => id.toLowerCase());

const titleSchema = z
  .string({ error: 'must be a string' })
  .min(1, { error: 'must not be empty' })
  .max(TITLE_MAX, { error: `must be at most ${TITLE_MAX} characters` })
  .regex(/\S/, { error: 'must not be blank' });

/**
 * Only http and https: the src ends up as a link in a page, where
 * `javascript:` or `file:` would be a hazard. zod trims surrounding spaces.
 */
const srcSchema = z
  .url({ protocol: /^https?$/i, error: 'must be an http or https URL' })
  .max(URL_MAX, { error: `must be at most ${URL_MAX} characters` });

const descriptionSchema = z
  .string({ error: 'must be a string' })
  .max(DESCRIPTION_MAX, { error: `must be at most ${DESCRIPTION_MAX} characters` });

/** RFC 6838 `type/subtype`, with optional `; name=value` parameters. */
const TOKEN = "[A-Za-z0-9!#$&^_.+'-]+";
const MEDIA_TYPE = new RegExp(
  `^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"\\\\\\r\\n]*"))*$`,
);
const contentTypeSchema = z
  .string({ error: 'must be a string' })
  .max(255, { error: 'must be at most 255 characters' })
  .regex(MEDIA_TYPE, { error: 'must be a media type such as image/png' });

/** The body of `POST /entries` (create) and `POST /entries/{id}` (update, full replacement). */
export const entryBodySchema = z
  .strictObject({
    title: titleSchema,
    src: srcSchema,
    description: descriptionSchema.optional(),
  })
  .meta({ title: 'Entry' });

/** The body of `POST /assets` (create) and `POST /assets/{id}` (update, full replacement). */
export const assetBodySchema = z
  .strictObject({
    title: titleSchema,
    src: srcSchema,
    entryId: idSchema.describe('The entry this asset belongs to; it must exist and not be deleted'),
    description: descriptionSchema.optional(),
    contentType: contentTypeSchema.optional(),
  })
  .meta({ title: 'Asset' });

/** A delete carries no body; an empty object is accepted for clients that always send one. */
export const emptyBodySchema = z.strictObject({}).optional();

/** The seed sends `user: 1`; an authenticated subject is a string. */
export const userSchema = z.union([
  z
    .string()
    .min(1, { error: 'must not be empty' })
    .max(USER_MAX, { error: `must be at most ${USER_MAX} characters` }),
  z.number().int({ error: 'must be an integer or a string' }),
]);

const paramsSchema = z.strictObject({ id: idSchema });
const metaSchema = z.strictObject({ user: userSchema });

/** The seed's six command names, exactly. */
export const COMMAND_TYPES = [
  'createEntry',
  'updateEntry',
  'deleteEntry',
  'createAsset',
  'updateAsset',
  'deleteAsset',
] as const;

function commandOf<T extends string, B extends z.ZodType>(type: T, body: B) {
  return z.strictObject({ type: z.literal(type), body, params: paramsSchema, meta: metaSchema });
}

const typeError = `must be one of ${COMMAND_TYPES.join(', ')}`;

/** The seed's command message `{type, body, params: {id}, meta: {user}}`, body checked per type. */
export const commandSchema = z
  .discriminatedUnion(
    'type',
    [
      commandOf('createEntry', entryBodySchema),
      commandOf('updateEntry', entryBodySchema),
      commandOf('deleteEntry', emptyBodySchema),
      commandOf('createAsset', assetBodySchema),
      commandOf('updateAsset', assetBodySchema),
      commandOf('deleteAsset', emptyBodySchema),
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? typeError : undefined) },
  )
  .meta({ title: 'Command' });

/** JSON Schemas (draft 2020-12) of what clients send, for the OpenAPI document. */
export const catalogJsonSchemas = {
  entryBody: z.toJSONSchema(entryBodySchema, { io: 'input' }),
  assetBody: z.toJSONSchema(assetBodySchema, { io: 'input' }),
  command: z.toJSONSchema(commandSchema, { io: 'input' }),
};

/** One refusal, machine-readable: `field` is a dotted path such as `body.title`. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * The refusals of a failed parse, each naming its field. An unknown field is
 * named itself (`body.colour`), not its parent, so the client sees what to remove.
 */
export function fieldIssuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...path, key].join('.'),
        message: 'is not a known field',
      }));
    }
    return [{ field: path.join('.') || '(root)', message: issue.message }];
  });
}

/**
 * The catalog's OpenAPI 3.1 document. The entry and asset schemas (the
 * seed's settings.json) and the command message come from the zod schemas
 * the API and the validator check with, so the document cannot drift.
 */
import { errorBodySchema } from '../../runtime/http-errors.ts';
import { COMMAND_TYPES, catalogJsonSchemas } from './domain/index.ts';
import { COMMAND_STATUSES } from './names.ts';

const json = (ref: string) => ({
  'application/json': { schema: { $ref: `#/components/schemas/${ref}` } },
});
const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'uuid' },
} as const;
const accepted = {
  202: { description: 'command accepted for processing', content: json('Accepted') },
};
const refused = {
  400: {
    description:
      'invalid JSON, a schema violation, an unknown field or a non-UUID id; `error.path` names the field',
    content: json('Error'),
  },
  413: { description: 'body over 64 KiB', content: json('Error') },
};

function commandPaths(path: string, body: string, kind: string) {
  return {
    [path]: {
      post: {
        summary: `create${kind}`,
        requestBody: { required: true, content: json(body) },
        responses: { ...accepted, ...refused },
      },
      get: {
        summary: `${kind} list (query API): ?limit=&next=&title=`,
        responses: { 200: { description: 'a page: {items, next}' } },
      },
    },
    [`${path}/{id}`]: {
      post: {
        summary: `update${kind} (the whole body)`,
        parameters: [idParameter],
        requestBody: { required: true, content: json(body) },
        responses: { ...accepted, ...refused },
      },
      delete: {
        summary: `delete${kind}`,
        parameters: [idParameter],
        responses: { ...accepted, 400: refused[400] },
      },
      get: {
        summary: `one ${kind} (query API)`,
        parameters: [idParameter],
        responses: {
          200: { description: 'the entity' },
          404: { description: 'no such live entity', content: json('Error') },
        },
      },
    },
    [`${path}/{id}/events`]: {
      get: {
        summary: `the ${kind}'s event history`,
        parameters: [idParameter],
        responses: { 200: { description: '{items}: the stream, oldest first' } },
      },
    },
  };
}

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'eventyard catalog',
    version: '1.0.0',
    description:
      'Seed 001: commands on entries and assets, decided by a validator, stored as events, served from read models.',
  },
  components: {
    schemas: {
      Entry: catalogJsonSchemas.entryBody,
      Asset: catalogJsonSchemas.assetBody,
      Command: {
        ...catalogJsonSchemas.command,
        description: `The seed's command message on topic commands: ${COMMAND_TYPES.join(', ')}`,
      },
      Accepted: {
        type: 'object',
        required: ['commandId', 'type', 'entityId', 'status', 'location'],
        properties: {
          commandId: { type: 'string' },
          type: { type: 'string', enum: [...COMMAND_TYPES] },
          entityId: { type: 'string', format: 'uuid' },
          status: { type: 'string', enum: ['pending'] },
          location: { type: 'string', description: 'GET it for the outcome' },
        },
      },
      Outcome: {
        type: 'object',
        properties: {
          commandId: { type: 'string' },
          status: { type: 'string', enum: [...COMMAND_STATUSES] },
          version: { type: ['integer', 'null'] },
          reason: {
            type: ['object', 'null'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              field: { type: 'string' },
            },
          },
          visible: { type: 'boolean', description: 'the query API shows the effect' },
        },
      },
      Error: errorBodySchema,
    },
  },
  paths: {
    ...commandPaths('/entries', 'Entry', 'Entry'),
    ...commandPaths('/assets', 'Asset', 'Asset'),
    '/commands/{commandId}': {
      get: {
        summary: "a command's outcome; ?wait=outcome|visible&timeoutMs= waits for it",
        parameters: [{ name: 'commandId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: { description: 'the outcome', content: json('Outcome') },
          404: { description: 'no such command', content: json('Error') },
        },
      },
    },
  },
} as const;

/**
 * The media API's OpenAPI 3.1 document, built from the same JSON schemas the
 * routes validate with, so the document and the behaviour cannot drift.
 */
import { errorBodySchema } from '../../runtime/http-errors.ts';
import { IMAGE_STATUSES } from './names.ts';

const nullable = (type: 'string' | 'integer') => ({ type: [type, 'null'] }) as const;

export const imageRecordSchema = {
  type: 'object',
  required: [
    'id',
    'bucket',
    'key',
    'size',
    'etag',
    'contentType',
    'width',
    'height',
    'uploadedAt',
    'status',
    'thumbnailUrl',
    'error',
  ],
  properties: {
    id: { type: 'string' },
    bucket: { type: 'string' },
    key: { type: 'string' },
    size: { type: 'integer', minimum: 0 },
    etag: { type: 'string', description: 'MD5 of the original, hex' },
    contentType: { type: 'string' },
    width: nullable('integer'),
    height: nullable('integer'),
    uploadedAt: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: [...IMAGE_STATUSES] },
    thumbnailUrl: { ...nullable('string'), description: 'set once the status is thumbnailed' },
    error: { ...nullable('string'), description: 'why the status is failed' },
  },
} as const;

export const listQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...IMAGE_STATUSES] },
    key: { type: 'string', minLength: 1, maxLength: 1024 },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    next: {
      type: 'string',
      minLength: 1,
      maxLength: 500,
      description: 'cursor from a previous page',
    },
  },
} as const;

export const listResponseSchema = {
  type: 'object',
  required: ['items', 'next'],
  properties: {
    items: { type: 'array', items: imageRecordSchema },
    next: { ...nullable('string'), description: 'cursor of the next page; null on the last' },
  },
} as const;

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const uploadQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { key: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

export const uploadResponseSchema = {
  type: 'object',
  required: ['bucket', 'key', 'size', 'etag', 'contentType', 'records'],
  properties: {
    bucket: { type: 'string' },
    key: { type: 'string' },
    size: { type: 'integer' },
    etag: { type: 'string' },
    contentType: { type: 'string' },
    records: { type: 'string', description: 'where the record appears once indexed' },
  },
} as const;

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: 'error', content: { 'application/json': { schema: errorBodySchema } } },
    ]),
  );

const queryParameters = (schema: { properties: Record<string, object> }) =>
  Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: false,
    schema: property,
  }));

const idParameter = [
  { name: 'id', in: 'path', required: true, schema: idParamsSchema.properties.id },
];

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'eventyard media',
    version: '1.0.0',
    description:
      'The thumbnail pipeline of seed 000: upload to bucket images (here or through the S3 endpoint), a record per image, a thumbnail per record.',
  },
  paths: {
    '/media/images': {
      get: {
        summary: 'List image records, oldest first',
        parameters: queryParameters(listQuerySchema),
        responses: {
          '200': {
            description: 'a page',
            content: { 'application/json': { schema: listResponseSchema } },
          },
          ...errors(400),
        },
      },
      post: {
        summary: 'Upload an image to bucket images (raw body or multipart/form-data field "file")',
        parameters: queryParameters(uploadQuerySchema),
        requestBody: {
          required: true,
          content: {
            'image/*': { schema: { type: 'string', format: 'binary' } },
            'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { file: { type: 'string', format: 'binary' }, key: { type: 'string' } },
                required: ['file'],
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'stored',
            content: { 'application/json': { schema: uploadResponseSchema } },
          },
          ...errors(400, 413, 415),
        },
      },
    },
    '/media/images/{id}': {
      get: {
        summary: 'One image record',
        parameters: idParameter,
        responses: {
          '200': {
            description: 'the record',
            content: { 'application/json': { schema: imageRecordSchema } },
          },
          ...errors(404),
        },
      },
    },
    '/media/images/{id}/original': {
      get: {
        summary: 'The uploaded image',
        parameters: idParameter,
        responses: { '200': { description: 'the original object' }, ...errors(404) },
      },
    },
    '/media/images/{id}/thumbnail': {
      get: {
        summary: 'The thumbnail (once the status is thumbnailed)',
        parameters: idParameter,
        responses: { '200': { description: 'the thumbnail object' }, ...errors(404) },
      },
    },
  },
} as const;

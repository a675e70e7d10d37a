/**
 * The job API's OpenAPI 3.1 document (the seed keeps its own in
 * openapi3-application.yaml; this one is served as JSON and as that YAML).
 * The request body's schema is generated from the zod schema the route
 * validates with, so the document and the behaviour cannot drift.
 */

import { z } from 'zod';
import { errorBodySchema } from '../../runtime/http-errors.ts';
import { ENCODINGS, jobRequestSchema } from './job-request.ts';
import { BASE_PATH, JOB_STATUSES } from './names.ts';

const nullableString = { type: ['string', 'null'] } as const;

const jobSchema = {
  type: 'object',
  required: ['id', 'tenantId', 'clientId', 'payloadLocation', 'payloadSize', 'status'],
  properties: {
    id: { type: 'string' },
    tenantId: { type: 'string', description: "the token's tid" },
    clientId: { type: 'string', description: "the token's oid" },
    payloadLocation: { type: 'string', format: 'uri' },
    payloadSize: { type: 'string', description: 'bytes of the decoded content, as a string' },
    status: { type: 'string', enum: [...JOB_STATUSES] },
    resultLocation: { ...nullableString, description: 'set once the status is SUCCESS' },
    resultSize: { ...nullableString, description: 'bytes of the result, as a string' },
    failureReason: { ...nullableString, description: 'why the status is FAILED' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const jobIdParameter = {
  name: 'jobId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
} as const;

const authErrors = {
  401: error('no token, or a token that is malformed, expired or wrongly signed'),
  403: error('a token for another audience or without tid/oid'),
};

const bytes = (description: string) => ({
  description,
  content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
});

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'eventyard jobs (ptc-file-processor)',
    version: '1.0.0',
    description:
      'Jobs of seed 002: POST an image with a JWT, a worker processes it, the job goes RUNNING -> SUCCESS or FAILED.',
  },
  components: {
    securitySchemes: {
      jwt: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'The JWT in Authorization, bare (as the seed sends it) or as `Bearer <token>`; claims tid and oid name the caller.',
      },
    },
    schemas: {
      JobRequest: {
        ...z.toJSONSchema(jobRequestSchema, { io: 'input' }),
        description: `content encoded per encoding (${ENCODINGS.join(', ')}); md5 of the decoded content, hex or base64`,
      },
      Job: jobSchema,
      Error: errorBodySchema,
    },
  },
  security: [{ jwt: [] }],
  paths: {
    [`${BASE_PATH}/job/image`]: {
      post: {
        summary: 'Create a job from an image',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/JobRequest' } } },
        },
        responses: {
          201: {
            description: 'job created, RUNNING',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['jobId', 'payloadLocation', 'payloadSize'],
                  properties: {
                    jobId: { type: 'string' },
                    payloadLocation: { type: 'string', format: 'uri' },
                    payloadSize: { type: 'string' },
                  },
                },
              },
            },
          },
          400: error('invalid JSON, a field missing or unknown, invalid base64, md5 mismatch'),
          ...authErrors,
          413: error('body or decoded content over the limit'),
        },
      },
    },
    [`${BASE_PATH}/job/{jobId}`]: {
      get: {
        summary: 'A job of the caller’s tenant',
        parameters: [jobIdParameter],
        responses: {
          200: {
            description: 'the job',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } },
          },
          ...authErrors,
          404: error('no such job for this tenant'),
        },
      },
    },
    [`${BASE_PATH}/job/{jobId}/status`]: {
      get: {
        summary: 'A job’s status',
        parameters: [jobIdParameter],
        responses: {
          200: {
            description: 'the status',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['status'],
                  properties: { status: { type: 'string', enum: [...JOB_STATUSES] } },
                },
              },
            },
          },
          ...authErrors,
          404: error('no such job for this tenant'),
        },
      },
    },
    [`${BASE_PATH}/job/{jobId}/payload`]: {
      get: {
        summary: 'The bytes the job was created with',
        parameters: [jobIdParameter],
        responses: { 200: bytes('the payload'), ...authErrors, 404: error('no such job') },
      },
    },
    [`${BASE_PATH}/job/{jobId}/result`]: {
      get: {
        summary: 'The processed image of a job that succeeded',
        parameters: [jobIdParameter],
        responses: {
          200: bytes('the result, in the job’s format'),
          ...authErrors,
          404: error('no such job, or it has no result (yet)'),
        },
      },
    },
  },
} as const;

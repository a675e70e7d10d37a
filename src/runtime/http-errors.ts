/**
 * The one place HTTP statuses are chosen for errors. eventyard's errors map
 * by code (core/errors.ts `httpStatusOf`); Fastify's own errors (body
 * parsing, schema validation, routing) get eventyard codes too, so every
 * error body has the same shape: `{ "error": { "code", "message", ...details } }`.
 */
import { EventyardError, httpStatusOf } from '../core/errors.ts';

/** The request's Content-Type is not one the route reads. HTTP 415. */
export class UnsupportedMediaTypeError extends EventyardError {
  constructor(message: string) {
    super('EY_UNSUPPORTED_MEDIA_TYPE', message, { path: 'content-type' });
  }
}

/** The JSON Schema of every error body, for the apps' OpenAPI documents. */
export const errorBodySchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        path: { type: 'string', description: 'the field, parameter or header at fault' },
      },
      additionalProperties: true,
    },
  },
} as const;

export interface HttpError {
  readonly status: number;
  readonly body: { readonly error: Readonly<Record<string, unknown>> };
}

/** Codes for statuses that Fastify raises itself. */
const CODE_BY_STATUS: Record<number, string> = {
  400: 'EY_VALIDATION',
  404: 'EY_NOT_FOUND',
  405: 'EY_METHOD_NOT_ALLOWED',
  413: 'EY_TOO_LARGE',
  415: 'EY_UNSUPPORTED_MEDIA_TYPE',
};

interface FastifyLikeError {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly message?: unknown;
  readonly validation?: ReadonlyArray<{
    instancePath?: string;
    params?: { missingProperty?: string };
  }>;
  readonly validationContext?: string;
}

/** Facts of the request that make an error message clearer. */
export interface HttpErrorContext {
  readonly bodyLimit?: number;
  readonly contentType?: string;
}

/**
 * Status and body for `error`. eventyard's own errors keep their message
 * (written for the client); anything else that is not a 4xx becomes a bare
 * 500, since its message may hold internals.
 */
export function httpErrorOf(error: unknown, context: HttpErrorContext = {}): HttpError {
  if (error instanceof EventyardError) {
    const status = httpStatusOf(error);
    return { status, body: { error: error.toJSON() } };
  }
  const fastifyError = (
    typeof error === 'object' && error !== null ? error : {}
  ) as FastifyLikeError;
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 500 || status < 400) return shape(500, 'EY_INTERNAL', 'internal error');
  const code = CODE_BY_STATUS[status] ?? 'EY_BAD_REQUEST';
  const message = typeof fastifyError.message === 'string' ? fastifyError.message : 'bad request';
  if (fastifyError.validation) return schemaError(fastifyError, message);
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return shape(400, code, `request body is not valid JSON: ${message}`, { path: 'body' });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return shape(
        413,
        code,
        `request body is larger than the limit of ${context.bodyLimit} bytes`,
        {
          limit: context.bodyLimit,
        },
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return shape(415, code, `unsupported media type '${context.contentType ?? ''}'`, {
        path: 'content-type',
      });
    default:
      return shape(status, code, message);
  }
}

/** A route's JSON-schema validation failed (Fastify/ajv): name the field, as parseInput does. */
function schemaError(error: FastifyLikeError, message: string): HttpError {
  const first = error.validation?.[0];
  const field = [first?.instancePath?.slice(1).replaceAll('/', '.'), first?.params?.missingProperty]
    .filter(Boolean)
    .join('.');
  const part = error.validationContext ?? 'body';
  return shape(400, 'EY_VALIDATION', message, { path: field || part, in: part });
}

function shape(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): HttpError {
  return { status, body: { error: { code, message, ...details } } };
}

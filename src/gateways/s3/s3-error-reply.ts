/**
 * How an error reaches an S3 client: S3's XML error document with the
 * error's status, none of the object's headers that were set before the
 * failure, and the request body settled so the connection stays usable.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { S3Address } from './s3-address.ts';
import { S3Error } from './s3-error.ts';
import { errorXml } from './s3-xml.ts';

/**
 * A body left unread when an answer is sent is drained (so the client reads
 * the answer on its keep-alive connection) up to this size; past it, or of
 * unknown size, the connection is closed instead.
 */
export const DRAIN_LIMIT_BYTES = 8 * 1024 * 1024;

/** Headers an error response keeps; the others described the object that was not served. */
const KEPT_HEADERS = new Set(['x-amz-request-id', 'x-amz-id-2', 'connection']);

export function sendS3Error(
  request: FastifyRequest,
  reply: FastifyReply,
  error: S3Error,
  address: S3Address | undefined,
): void {
  for (const name of Object.keys(reply.getHeaders())) {
    const keep = KEPT_HEADERS.has(name) || (name === 'content-range' && error.status === 416);
    if (!keep) reply.removeHeader(name);
  }
  const resource = address?.rawPath ?? (request.raw.url ?? '/').split('?', 1)[0]!;
  reply
    .code(error.status)
    .type('application/xml')
    .send(
      errorXml({
        code: error.code,
        message: error.message,
        resource,
        requestId: request.id,
        fields: error.fields,
      }),
    );
}

/**
 * Fastify's own 4xx errors (a Content-Type that is no media type, a URL it
 * cannot decode) as S3 errors with the same status; others pass through.
 */
export function fromFastifyError(error: unknown): unknown {
  const { statusCode, code, message } = (error ?? {}) as {
    statusCode?: unknown;
    code?: unknown;
    message?: unknown;
  };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return error;
  if (typeof statusCode !== 'number' || statusCode >= 500) return error;
  const s3Code = code === 'FST_ERR_BAD_URL' ? 'InvalidURI' : 'InvalidRequest';
  return new S3Error(s3Code, statusCode, String(message ?? 'Bad request'), {}, error);
}

/**
 * Answered before the whole body arrived (an early error, or a failure
 * mid-stream): a small remainder is read and discarded so the client can
 * finish sending and read the answer; anything else closes the connection.
 */
export function settleUnreadBody(request: FastifyRequest, reply: FastifyReply): void {
  const length = Number(request.headers['content-length']);
  if (Number.isSafeInteger(length) && length <= DRAIN_LIMIT_BYTES) {
    request.raw.resume();
  } else {
    reply.header('connection', 'close');
  }
}

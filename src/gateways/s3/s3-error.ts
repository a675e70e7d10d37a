/**
 * Errors of the S3 endpoint, in S3's own vocabulary: the `code` is the one
 * S3 puts in `<Error><Code>`, so any S3 client recognises it (the SDKs turn
 * it into an exception class of the same name). The object stores throw
 * eventyard errors; `s3ErrorOf` maps them here, in one place.
 */
import {
  ClosedError,
  ConflictError,
  EngineError,
  NotFoundError,
  UnsupportedError,
  ValidationError,
} from '../../core/errors.ts';

export class S3Error extends Error {
  /** S3's error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...). */
  readonly code: string;
  readonly status: number;
  /** Extra elements of the XML error body (`Key`, `BucketName`, ...). */
  readonly fields: Readonly<Record<string, string>>;

  constructor(
    code: string,
    status: number,
    message: string,
    fields: Record<string, string> = {},
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'S3Error';
    this.code = code;
    this.status = status;
    this.fields = fields;
  }
}

/** The statuses S3 gives the codes the stores put in `details.code`. */
const STATUS_BY_CODE: Record<string, number> = {
  InvalidBucketName: 400,
  InvalidObjectName: 400,
  KeyTooLongError: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  BadDigest: 400,
  InvalidDigest: 400,
  IncompleteBody: 400,
  InvalidArgument: 400,
  InvalidRange: 416,
  BucketAlreadyOwnedByYou: 409,
  BucketAlreadyExists: 409,
  BucketNotEmpty: 409,
};

/** Where an error happened, for the body's `Resource`, `BucketName` and `Key`. */
export interface S3Resource {
  readonly bucket?: string;
  readonly key?: string;
}

/**
 * The S3 error for anything a handler throws: S3Errors as they are (also
 * when wrapped as another error's `cause`, as a store may do with a body
 * stream's failure), store errors by their kind and `details.code`, and
 * anything else as InternalError, whose message never carries internals.
 */
export function s3ErrorOf(error: unknown, resource: S3Resource = {}): S3Error {
  const own = findS3Error(error);
  if (own) return own;
  if (error instanceof NotFoundError) {
    if (error.details.kind === 'object') {
      return new S3Error('NoSuchKey', 404, 'The specified key does not exist.', keyField(resource));
    }
    return new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist.', {
      ...(resource.bucket === undefined ? {} : { BucketName: resource.bucket }),
    });
  }
  if (error instanceof ValidationError || error instanceof ConflictError) {
    const code = typeof error.details.code === 'string' ? error.details.code : undefined;
    const fallback = error instanceof ValidationError ? 'InvalidArgument' : 'OperationAborted';
    const status = STATUS_BY_CODE[code ?? ''] ?? (error instanceof ValidationError ? 400 : 409);
    return new S3Error(code ?? fallback, status, error.message, {}, error);
  }
  if (error instanceof UnsupportedError) {
    return new S3Error('NotImplemented', 501, error.message, {}, error);
  }
  if (error instanceof ClosedError || error instanceof EngineError) {
    return new S3Error('ServiceUnavailable', 503, 'Please reduce your request rate.', {}, error);
  }
  return new S3Error(
    'InternalError',
    500,
    'We encountered an internal error. Please try again.',
    {},
    error,
  );
}

function findS3Error(error: unknown): S3Error | undefined {
  for (let current = error, depth = 0; current && depth < 8; depth++) {
    if (current instanceof S3Error) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function keyField(resource: S3Resource): Record<string, string> {
  return resource.key === undefined ? {} : { Key: resource.key };
}

/** An operation S3 has and this endpoint does not: 501 naming it. */
export function notImplemented(operation: string): S3Error {
  return new S3Error(
    'NotImplemented',
    501,
    `${operation} is not implemented by eventyard's S3 endpoint. Supported: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, ListObjects, ListObjectsV2, PutObject, GetObject, HeadObject, DeleteObject.`,
  );
}

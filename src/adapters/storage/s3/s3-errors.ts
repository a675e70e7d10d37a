/**
 * S3's errors as the contract's, with the `details.code` names the embedded
 * store uses (which are S3's): a caller sees the same error from either.
 * What has no contract meaning (throttling, a server fault, a refused
 * signature, an unreachable endpoint) is an `EngineError` carrying S3's
 * code and HTTP status; its `cause` is the SDK's error, which holds no
 * credentials.
 */
import {
  ConflictError,
  EngineError,
  NotFoundError,
  UnsupportedError,
  ValidationError,
} from '../../../core/errors.ts';

/** What the failed call was about, for messages and details. */
export interface S3CallScope {
  readonly operation: string;
  readonly bucket?: string;
  readonly key?: string;
  /** The endpoint, redacted, for engine errors. */
  readonly endpoint: string;
}

/** The parts of an SDK error this module reads. */
interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** S3's error code (`name` on the SDK's errors), or a socket error's code. */
export function s3CodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as SdkError;
  return code ?? name;
}

export function httpStatusOfS3(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as SdkError).$metadata?.httpStatusCode;
}

/** The contract's error for an S3 failure. */
export function contractErrorOf(error: unknown, scope: S3CallScope): Error {
  const code = (error as SdkError | undefined)?.name ?? 'Error';
  const status = httpStatusOfS3(error);
  const { bucket, key } = scope;
  const where = {
    ...(bucket === undefined ? {} : { bucket }),
    ...(key === undefined ? {} : { key }),
  };
  const validation = (path: string, message: string) =>
    new ValidationError(message, { path, code, ...where, cause: error });
  switch (code) {
    case 'NoSuchBucket':
      return noSuchBucket(bucket ?? '', key, error);
    case 'NoSuchKey':
      return noSuchKey(bucket ?? '', key ?? '', error);
    case 'BucketAlreadyOwnedByYou':
    case 'BucketAlreadyExists':
      return bucketExists(bucket ?? '', code, error);
    case 'BucketNotEmpty':
      return new ConflictError(`bucket ${bucket} is not empty`, { ...where, code, cause: error });
    case 'PreconditionFailed':
      return new ConflictError(`a condition of ${scope.operation} failed`, { ...where, code });
    case 'InvalidRange':
      return validation('range', `the byte range is not satisfiable (${bucket}/${key})`);
    case 'EntityTooLarge':
      return validation('body', 'the object is larger than the S3 endpoint accepts');
    case 'BadDigest':
      return validation('contentMd5', 'the body does not match its Content-MD5');
    case 'InvalidDigest':
      return validation('contentMd5', 'the Content-MD5 is not valid');
    case 'IncompleteBody':
      return validation('contentLength', 'the body is not as long as its Content-Length');
    case 'InvalidBucketName':
      return validation('bucket', `invalid bucket name ${JSON.stringify(bucket)}`);
    case 'KeyTooLongError':
      return validation('key', 'the object key is too long for the S3 endpoint');
    case 'MetadataTooLarge':
      return validation('userMetadata', 'the user metadata is too large for the S3 endpoint');
    case 'InvalidArgument':
    case 'InvalidRequest':
      return validation(scope.operation, `S3 refused ${scope.operation}: ${messageOf(error)}`);
    case 'NotImplemented':
      return new UnsupportedError(`the S3 endpoint does not implement ${scope.operation}`, {
        ...where,
        code,
        cause: error,
      });
    default:
      return engineError(error, scope, status);
  }
}

export function noSuchBucket(bucket: string, key?: string, cause?: unknown): NotFoundError {
  return new NotFoundError(`no bucket ${bucket}`, {
    kind: 'bucket',
    bucket,
    ...(key === undefined ? {} : { key }),
    code: 'NoSuchBucket',
    ...(cause === undefined ? {} : { cause }),
  });
}

export function noSuchKey(bucket: string, key: string, cause?: unknown): NotFoundError {
  return new NotFoundError(`no object ${key} in bucket ${bucket}`, {
    kind: 'object',
    bucket,
    key,
    code: 'NoSuchKey',
    ...(cause === undefined ? {} : { cause }),
  });
}

export function bucketExists(bucket: string, code: string, cause?: unknown): ConflictError {
  const whose = code === 'BucketAlreadyOwnedByYou' ? '' : ' (owned by another account)';
  return new ConflictError(`bucket ${bucket} exists${whose}`, {
    bucket,
    code,
    ...(cause === undefined ? {} : { cause }),
  });
}

function engineError(error: unknown, scope: S3CallScope, status: number | undefined): EngineError {
  const code = s3CodeOf(error) ?? 'Error';
  const at = status === undefined ? `S3 endpoint ${scope.endpoint}` : `S3 (HTTP ${status})`;
  const what = [scope.bucket, scope.key].filter((part) => part !== undefined).join('/');
  return new EngineError(
    `${scope.operation}${what === '' ? '' : ` ${what}`} failed at ${at}: ${code}: ${messageOf(error)}`,
    {
      code,
      ...(status === undefined ? {} : { status }),
      operation: scope.operation,
      ...(scope.bucket === undefined ? {} : { bucket: scope.bucket }),
      ...(scope.key === undefined ? {} : { key: scope.key }),
      endpoint: scope.endpoint,
      cause: error,
    },
  );
}

function messageOf(error: unknown): string {
  const message = (error as SdkError | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : String(error);
}

/**
 * Which S3 operation a request is: by method, whether it names a bucket
 * and a key, its subresource query parameters and a few headers. What S3
 * has and this endpoint does not gets NotImplemented naming it, never a
 * silently wrong answer (an ACL request served as a GetObject, say).
 */
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  headBucket,
  listBuckets,
  listObjects,
} from './bucket-operations.ts';
import { deleteObject, getObject, putObject } from './object-operations.ts';
import type { S3Call } from './s3-call.ts';
import { notImplemented, S3Error } from './s3-error.ts';

export type S3Operation = (call: S3Call) => Promise<void>;

/** Subresources S3 knows, with the operations they stand for. */
const UNSUPPORTED_SUBRESOURCES: Record<string, string> = {
  uploads: 'Multipart upload (CreateMultipartUpload, ListMultipartUploads)',
  uploadId:
    'Multipart upload (UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts)',
  partNumber: 'Multipart upload (UploadPart, GetObject by part number)',
  delete: 'DeleteObjects',
  acl: 'ACLs',
  tagging: 'Object and bucket tagging',
  versioning: 'Bucket versioning',
  versions: 'ListObjectVersions',
  versionId: 'Object versions',
  policy: 'Bucket policies',
  policyStatus: 'Bucket policies',
  cors: 'Bucket CORS configuration',
  lifecycle: 'Bucket lifecycle configuration',
  notification:
    "Bucket notification configuration over the S3 API (configure it through eventyard's own settings)",
  website: 'Static website hosting',
  replication: 'Replication',
  encryption: 'Bucket encryption',
  logging: 'Bucket logging',
  'object-lock': 'Object lock',
  retention: 'Object retention',
  'legal-hold': 'Object legal hold',
  attributes: 'GetObjectAttributes',
  restore: 'RestoreObject',
  select: 'SelectObjectContent',
  torrent: 'GetObjectTorrent',
  accelerate: 'Transfer acceleration',
  analytics: 'Analytics configuration',
  inventory: 'Inventory configuration',
  metrics: 'Metrics configuration',
  'intelligent-tiering': 'Intelligent-Tiering configuration',
  ownershipControls: 'Ownership controls',
  publicAccessBlock: 'Public access block',
  requestPayment: 'Requester pays',
  session: 'CreateSession (S3 Express)',
  renameObject: 'RenameObject',
};

export function operationOf(
  method: string,
  bucket: string | undefined,
  key: string | undefined,
  query: URLSearchParams,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): S3Operation {
  for (const name of query.keys()) {
    const unsupported = UNSUPPORTED_SUBRESOURCES[name];
    if (unsupported !== undefined) throw notImplemented(unsupported);
  }
  if (bucket === undefined) {
    if (method === 'GET') return listBuckets;
    throw methodNotAllowed(method, 'SERVICE');
  }
  if (key === undefined) return bucketOperation(method, query);
  switch (method) {
    case 'PUT':
      if (headers['x-amz-copy-source'] !== undefined) throw notImplemented('CopyObject');
      return putObject;
    case 'GET':
      return (call) => getObject(call, false);
    case 'HEAD':
      return (call) => getObject(call, true);
    case 'DELETE':
      return deleteObject;
    case 'POST':
      throw notImplemented('POST on an object');
    default:
      throw methodNotAllowed(method, 'OBJECT');
  }
}

function bucketOperation(method: string, query: URLSearchParams): S3Operation {
  switch (method) {
    case 'PUT':
      return createBucket;
    case 'HEAD':
      return headBucket;
    case 'DELETE':
      return deleteBucket;
    case 'GET':
      return query.has('location') ? getBucketLocation : listObjects;
    case 'POST':
      throw notImplemented('PostObject (browser form upload)');
    default:
      throw methodNotAllowed(method, 'BUCKET');
  }
}

type ResourceType = 'SERVICE' | 'BUCKET' | 'OBJECT';

function methodNotAllowed(method: string, resourceType: ResourceType): S3Error {
  return new S3Error(
    'MethodNotAllowed',
    405,
    `The specified method is not allowed against this resource (${method} on ${resourceType.toLowerCase()}).`,
    { Method: method, ResourceType: resourceType },
  );
}

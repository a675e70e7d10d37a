/**
 * One authenticated S3 request as the operations see it: what it addresses,
 * who signed it, how its body is hashed, and the endpoint's settings.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BucketEventContext } from '../../core/bucket-notification.ts';
import type { ObjectStore } from '../../core/object-store.ts';
import type { PayloadMode } from './payload/payload-mode.ts';
import type { S3Address } from './s3-address.ts';
import type { VerifiedSignature } from './sigv4/verify-signature.ts';

export interface S3Settings {
  /** Region reported to clients (GetBucketLocation, x-amz-bucket-region). */
  readonly region: string;
  /** Largest object PutObject accepts, in bytes. */
  readonly maxObjectBytes: number;
}

export interface S3Call {
  readonly store: ObjectStore;
  readonly settings: S3Settings;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  readonly address: S3Address;
  /** The query, decoded once. */
  readonly query: URLSearchParams;
  readonly signature: VerifiedSignature;
  readonly payload: PayloadMode;
  /** Signed in the URL (presigned) rather than in the Authorization header. */
  readonly presigned: boolean;
}

/** The bucket of a call the dispatcher routed to a bucket or object operation. */
export function bucketOf(call: S3Call): string {
  return call.address.bucket!;
}

export function keyOf(call: S3Call): string {
  return call.address.key!;
}

/** Who wrote and from where, for the store's bucket notifications. */
export function eventContextOf(call: S3Call): BucketEventContext {
  const raw = call.request.raw;
  const userAgent = call.request.headers['user-agent'];
  return {
    principal: call.signature.accessKeyId,
    sourceIp: raw.socket.remoteAddress,
    sourcePort: raw.socket.remotePort === undefined ? undefined : String(raw.socket.remotePort),
    userAgent,
    requestId: call.request.id,
    endpoint: `http://${call.request.headers.host ?? ''}`,
    region: call.settings.region,
    time: new Date(),
  };
}

// The part of s3rver 3.7 (no types of its own) the tests use.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  export interface S3rverOptions {
    /** Default 4568; 0 picks a free port. */
    port?: number;
    /** Interface to listen on; default localhost. */
    address?: string;
    /** Folder the buckets and objects are kept in. */
    directory: string;
    /** No request logs on stdout. */
    silent?: boolean;
    /** Delete everything in `directory` when the server closes. */
    resetOnClose?: boolean;
    /** Buckets made at `run()`, before any request. */
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
    /** Accept requests whose signature does not verify. */
    allowMismatchedSignatures?: boolean;
    /** Treat non-IP, non-localhost host names as virtual-host buckets. Default true. */
    vhostBuckets?: boolean;
  }

  /** What the store is given to write (lib/models/object.js). */
  export interface S3rverObject {
    readonly bucket: string;
    readonly key: string;
    /** content-type (binary/octet-stream when the request had none), x-amz-meta-*, and the like. */
    readonly metadata: Readonly<Record<string, string>>;
  }

  /** lib/stores/filesystem.js, as far as the tests reach into it. */
  export interface S3rverStore {
    putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
    deleteObject(bucket: string, key: string): Promise<void>;
  }

  /**
   * What s3rver emits as 'event' after a put, copy, POST or multipart
   * upload, and a delete (lib/models/event.js): S3's event message.
   */
  export interface S3rverEvent {
    readonly Records: ReadonlyArray<{
      readonly eventTime: string;
      /** ObjectCreated:Put, ObjectCreated:Copy, ObjectCreated:Post, ObjectRemoved:Delete. */
      readonly eventName: string;
      readonly requestParameters: { readonly sourceIPAddress: string };
      readonly responseElements: Readonly<Record<string, string>>;
      readonly s3: {
        readonly bucket: { readonly name: string };
        /** `key` as stored, not escaped; size and eTag on puts and POSTs, size on copies. */
        readonly object: {
          readonly key: string;
          readonly size?: number;
          readonly eTag?: string;
          readonly sequencer: string;
        };
      };
    }>;
  }

  class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    reset(): void;
    httpServer?: Server;
    store: S3rverStore;
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export default S3rver;
}

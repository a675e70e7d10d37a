/**
 * Buckets on S3: create, ensure, delete, list.
 *
 * `create` asks HeadBucket first: in us-east-1, AWS answers CreateBucket on
 * a bucket you already own with 200 (a legacy rule), and some compatible
 * servers answer BucketAlreadyExists rather than BucketAlreadyOwnedByYou;
 * a bucket this account can already reach is the contract's
 * BucketAlreadyOwnedByYou conflict either way. (Two creates racing can
 * both pass the check; S3's own answer to the second decides then.)
 */
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ConflictError } from '../../../core/errors.ts';
import type { BucketInfo } from '../../../core/object-store.ts';
import { bucketExists, httpStatusOfS3, noSuchBucket } from './s3-errors.ts';

/** Runs one S3 call with its errors as the contract's (the store's). */
export type S3Call = <T>(operation: string, work: () => Promise<T>, bucket?: string) => Promise<T>;

/** owned: this account reaches it; missing: no such bucket; elsewhere: someone else's, or another region's. */
type BucketStatus = 'owned' | 'missing' | 'elsewhere';

const LEGACY_REGION = 'us-east-1';

export class S3Buckets {
  readonly #client: S3Client;
  readonly #region: string;
  readonly #call: S3Call;

  constructor(client: S3Client, region: string, call: S3Call) {
    this.#client = client;
    this.#region = region;
    this.#call = call;
  }

  async create(name: string): Promise<void> {
    if ((await this.#status(name)) === 'owned') {
      throw bucketExists(name, 'BucketAlreadyOwnedByYou');
    }
    await this.#create(name);
  }

  async ensure(name: string): Promise<void> {
    if ((await this.#status(name)) === 'owned') return;
    try {
      await this.#create(name);
    } catch (error) {
      // Made meanwhile by another process: ensured all the same, if it is ours.
      if (!(error instanceof ConflictError)) throw error;
      if (error.details.code === 'BucketAlreadyOwnedByYou') return;
      if ((await this.#status(name)) !== 'owned') throw error;
    }
  }

  async delete(name: string): Promise<void> {
    await this.#call(
      'DeleteBucket',
      () => this.#client.send(new DeleteBucketCommand({ Bucket: name })),
      name,
    );
  }

  /** Every bucket of the account, in name order. */
  async list(): Promise<BucketInfo[]> {
    const buckets: BucketInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call('ListBuckets', () =>
        this.#client.send(new ListBucketsCommand({ ContinuationToken: token })),
      );
      for (const bucket of page.Buckets ?? []) {
        if (bucket.Name === undefined) continue;
        buckets.push({ name: bucket.Name, createdAt: bucket.CreationDate ?? new Date(0) });
      }
      token = page.ContinuationToken || undefined;
    } while (token !== undefined);
    return buckets.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Throws the contract's NoSuchBucket if the bucket does not exist. */
  async require(bucket: string, key?: string): Promise<void> {
    if ((await this.#status(bucket)) === 'missing') throw noSuchBucket(bucket, key);
  }

  async #create(name: string): Promise<void> {
    const configuration =
      this.#region === LEGACY_REGION
        ? undefined
        : { LocationConstraint: this.#region as BucketLocationConstraint };
    await this.#call(
      'CreateBucket',
      () =>
        this.#client.send(
          new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: configuration }),
        ),
      name,
    );
  }

  async #status(name: string): Promise<BucketStatus> {
    return this.#call(
      'HeadBucket',
      async () => {
        try {
          await this.#client.send(new HeadBucketCommand({ Bucket: name }));
          return 'owned';
        } catch (error) {
          const status = httpStatusOfS3(error);
          if (status === 404) return 'missing';
          if (status === 403 || status === 301) return 'elsewhere';
          throw error;
        }
      },
      name,
    );
  }
}

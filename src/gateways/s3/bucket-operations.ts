/**
 * ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation
 * and the two listings, over the ObjectStore contract.
 */
import { validateBucketName } from '../../core/object-names.ts';
import { listObjectsV1, listObjectsV2 } from './list-objects.ts';
import { requestBody } from './payload/request-body.ts';
import { bucketOf, type S3Call } from './s3-call.ts';
import { S3Error } from './s3-error.ts';
import { listBucketsXml, locationXml } from './s3-xml.ts';

/** CreateBucket's optional CreateBucketConfiguration is a few hundred bytes. */
const MAX_CONFIGURATION_BYTES = 64 * 1024;

const XML = 'application/xml';

export async function listBuckets(call: S3Call): Promise<void> {
  const buckets = await call.store.listBuckets();
  call.reply.type(XML).send(listBucketsXml(buckets));
}

export async function createBucket(call: S3Call): Promise<void> {
  const bucket = validateBucketName(bucketOf(call));
  // The configuration (LocationConstraint) names a region; there is one here, so it is
  // read (and its signed hash checked) but not used.
  await drainSmallBody(call);
  await call.store.createBucket(bucket);
  call.reply.header('location', `/${bucket}`).code(200).send();
}

export async function headBucket(call: S3Call): Promise<void> {
  const bucket = validateBucketName(bucketOf(call));
  await bucketMustExist(call, bucket);
  call.reply.header('x-amz-bucket-region', call.settings.region).code(200).send();
}

export async function deleteBucket(call: S3Call): Promise<void> {
  const bucket = validateBucketName(bucketOf(call));
  await call.store.deleteBucket(bucket);
  call.reply.code(204).send();
}

export async function getBucketLocation(call: S3Call): Promise<void> {
  const bucket = validateBucketName(bucketOf(call));
  await bucketMustExist(call, bucket);
  call.reply.type(XML).send(locationXml(call.settings.region));
}

export async function listObjects(call: S3Call): Promise<void> {
  const bucket = validateBucketName(bucketOf(call));
  const list = call.query.get('list-type') === '2' ? listObjectsV2 : listObjectsV1;
  call.reply.type(XML).send(await list(call.store, bucket, call.query));
}

async function bucketMustExist(call: S3Call, bucket: string): Promise<void> {
  const buckets = await call.store.listBuckets();
  if (!buckets.some((candidate) => candidate.name === bucket)) {
    throw new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist.', {
      BucketName: bucket,
    });
  }
}

async function drainSmallBody(call: S3Call): Promise<void> {
  const { body } = requestBody({
    source: call.request.raw.iterator({ destroyOnReturn: false }),
    headers: call.request.headers,
    mode: call.payload,
    signature: call.signature,
    maxBytes: MAX_CONFIGURATION_BYTES,
    tooLarge: (maxBytes) =>
      new S3Error(
        'MaxMessageLengthExceeded',
        400,
        `Your request was too big (at most ${maxBytes} bytes).`,
      ),
  });
  for await (const _ of body) {
    // Read for the checks; the content is not needed.
  }
}

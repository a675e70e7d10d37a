/** Everything a media deployment holds, read the way a client would: every key of a bucket, every record. */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ImageRecord } from '../../../src/apps/media/image-record.ts';

export async function listAll(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) keys.push(item.Key!);
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/** Every record of the API at `url`, page after page. */
export async function allRecords(url: string): Promise<ImageRecord[]> {
  const records: ImageRecord[] = [];
  let next: string | null = null;
  do {
    const response = await fetch(`${url}/media/images?limit=100${next ? `&next=${next}` : ''}`);
    const page = (await response.json()) as { items: ImageRecord[]; next: string | null };
    records.push(...page.items);
    next = page.next;
  } while (next);
  return records;
}

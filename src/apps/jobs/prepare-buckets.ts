import type { ObjectStore } from '../../core/object-store.ts';
import { PAYLOADS_BUCKET, RESULTS_BUCKET } from './names.ts';

/** Makes the jobs buckets (payloads and results); idempotent. */
export async function prepareBuckets(objects: ObjectStore): Promise<void> {
  await objects.ensureBucket(PAYLOADS_BUCKET);
  await objects.ensureBucket(RESULTS_BUCKET);
}

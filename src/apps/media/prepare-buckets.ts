import { isNotifying, type ObjectStore } from '../../core/object-store.ts';
import { IMAGES_BUCKET, IMAGES_BUCKET_EVENT, THUMBNAILS_BUCKET } from './names.ts';

const RULE_ID = 'media-indexer';

/**
 * Makes the seed's buckets and, where the store sends notifications itself
 * (the embedded one), the rule that feeds the indexer: what the seed's setup
 * job does with `mc mb` and `mc event add`. Idempotent; other rules on the
 * bucket are kept. On MinIO, configure the notification there (README).
 */
export async function prepareBuckets(objects: ObjectStore): Promise<void> {
  await objects.ensureBucket(IMAGES_BUCKET);
  await objects.ensureBucket(THUMBNAILS_BUCKET);
  if (!isNotifying(objects)) return;
  const rules = await objects.notificationRules(IMAGES_BUCKET);
  if (rules.some((rule) => rule.id === RULE_ID)) return;
  await objects.setNotificationRules(IMAGES_BUCKET, [
    ...rules,
    { id: RULE_ID, topic: IMAGES_BUCKET_EVENT, events: ['s3:ObjectCreated:*'] },
  ]);
}

/** The seed's names (seed 000): buckets and topics are the contract. */
export const IMAGES_BUCKET = 'images';
export const THUMBNAILS_BUCKET = 'thumbnails';
/** Bucket notifications of `images` arrive here, in MinIO's format. */
export const IMAGES_BUCKET_EVENT = 'images-bucket-event';
/** The indexer sends the id of each new record here. */
export const THUMBNAILS_EVENT = 'thumbnails-event';

export const IMAGE_STATUSES = ['indexed', 'thumbnailed', 'failed'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

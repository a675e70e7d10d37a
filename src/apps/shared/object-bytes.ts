import { NotFoundError, PermanentError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/object-store.ts';

/**
 * Reads a whole object into memory, refusing one larger than `maxBytes`
 * (images are decoded in memory anyway). An object that is gone is a
 * PermanentError: retrying will not bring it back.
 */
export async function readObjectBytes(
  objects: ObjectStore,
  bucket: string,
  key: string,
  maxBytes: number,
): Promise<Buffer> {
  let stored: Awaited<ReturnType<ObjectStore['get']>>;
  try {
    stored = await objects.get(bucket, key);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new PermanentError(`${bucket}/${key} no longer exists`, { cause: error });
    }
    throw error;
  }
  if (stored.info.size > maxBytes) {
    throw new PermanentError(
      `${bucket}/${key} has ${stored.info.size} bytes, more than the limit of ${maxBytes}`,
    );
  }
  const chunks: Uint8Array[] = [];
  for await (const chunk of stored.body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Drops the read models and builds them again from the event store, stream
 * by stream, in one transaction: readers see the old models until the new
 * ones are complete. Every read model row depends on its own stream only,
 * so the order of the streams does not matter and the result is exactly
 * what the materializer had built.
 */
import type { Kysely } from 'kysely';
import { catchUp } from './projection.ts';
import { type CatalogDb, READ_MODEL_TABLES } from './schema.ts';

export interface RebuildProgress {
  readonly streams: number;
  readonly totalStreams: number;
  readonly events: number;
}

const PAGE = 500;

export async function rebuildReadModels(
  db: Kysely<CatalogDb>,
  onProgress: (progress: RebuildProgress) => void = () => {},
): Promise<RebuildProgress> {
  return db.transaction().execute(async (tx) => {
    for (const table of READ_MODEL_TABLES) await tx.deleteFrom(table).execute();
    const total = await tx
      .selectFrom('catalog_events')
      .select((eb) => eb.fn.count<number>('stream_id').distinct().as('count'))
      .executeTakeFirst();
    const progress = { streams: 0, totalStreams: Number(total?.count ?? 0), events: 0 };
    let after = '';
    for (;;) {
      const streams = await tx
        .selectFrom('catalog_events')
        .select('stream_id')
        .distinct()
        .where('stream_id', '>', after)
        .orderBy('stream_id')
        .limit(PAGE)
        .execute();
      if (streams.length === 0) break;
      for (const { stream_id } of streams) {
        progress.events += await catchUp(tx, stream_id);
        progress.streams++;
      }
      after = streams.at(-1)!.stream_id;
      onProgress({ ...progress });
    }
    return progress;
  });
}

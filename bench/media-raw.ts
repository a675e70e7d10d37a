/**
 * The media baseline: what usual client code does with sharp alone. The
 * same originals made into the same thumbnails as the media pipeline
 * (upright per EXIF, fit into the box without enlarging, same format and
 * quality, same decode safety options), in memory, `concurrency` at a
 * time; no probe, no storage, no events, no records.
 */
import sharp from 'sharp';
import { makeThumbnail } from '../src/apps/image/thumbnail.ts';
import type { ThumbnailOptions } from '../src/apps/image/thumbnail-options.ts';
import { runCallers, type Throughput, throughput } from './measurement.ts';
import type { MediaWorkload } from './media-workload.ts';

export interface ThumbnailRun extends MediaWorkload {
  readonly thumbnail: ThumbnailOptions;
  /** Thumbnails in flight at once. */
  readonly concurrency: number;
  /** Times each original is made into a thumbnail. */
  readonly rounds: number;
}

type MakeOne = (original: Buffer) => Promise<{ width: number; height: number }>;

async function rawThumbnail(original: Buffer, options: ThumbnailOptions) {
  const { info } = await sharp(original, {
    failOn: 'truncated',
    limitInputPixels: options.maxPixels,
  })
    .autoOrient()
    .resize({
      width: options.width,
      height: options.height,
      fit: options.fit,
      withoutEnlargement: true,
    })
    .toFormat(options.format, { quality: options.quality })
    .toBuffer({ resolveWithObject: true });
  return info;
}

/** Times `makeOne` over the originals, `rounds` times, after a warm-up; checks every thumbnail fits the box. */
async function measure(name: string, run: ThumbnailRun, makeOne: MakeOne): Promise<Throughput> {
  for (const original of run.warmup) await makeOne(original);
  let oversized = 0;
  const { completed, elapsedMs } = await runCallers(
    run.concurrency,
    run.originals.length * run.rounds,
    Number.POSITIVE_INFINITY,
    async (index) => {
      const made = await makeOne(run.originals[index % run.originals.length]!);
      if (made.width > run.thumbnail.width || made.height > run.thumbnail.height) oversized++;
    },
  );
  if (oversized > 0) throw new Error(`${name}: ${oversized} thumbnails larger than the box`);
  return throughput(name, completed, elapsedMs);
}

function describe(run: ThumbnailRun): string {
  const { width, height, format, quality } = run.thumbnail;
  return `${run.originals.length} originals x ${run.rounds}, ${width}x${height} ${format} q${quality}, ${run.concurrency} at a time`;
}

/** Images/s of a plain sharp loop (`eventsPerSecond` counts images). */
export function measureRawSharp(run: ThumbnailRun): Promise<Throughput> {
  return measure(`raw sharp thumbnails, ${describe(run)}`, run, (original) =>
    rawThumbnail(original, run.thumbnail),
  );
}

/** Images/s of the media app's makeThumbnail (header probe, then the same sharp work). */
export function measureMakeThumbnail(run: ThumbnailRun): Promise<Throughput> {
  return measure(`media makeThumbnail, ${describe(run)}`, run, (original) =>
    makeThumbnail(original, run.thumbnail),
  );
}

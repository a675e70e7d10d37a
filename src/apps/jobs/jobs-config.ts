/**
 * The jobs app's settings, from EVENTYARD_JOBS_* environment variables
 * (the runtime lets that prefix through and leaves it to this file). Every
 * value has a default; a bad value, or an unknown EVENTYARD_JOBS_ name, is
 * refused with a message naming the variable.
 */
import { z } from 'zod';
import {
  describeSettings,
  flag,
  parsePrefixedSettings,
  wholeNumber,
} from '../../runtime/settings.ts';
import { THUMBNAIL_FORMATS } from '../image/image-formats.ts';
import type { ProcessPriority } from '../image/thread-priority.ts';
import { THUMBNAIL_DEFAULTS } from '../image/thumbnail-options.ts';
import type { Operation } from './job-message.ts';

const PREFIX = 'EVENTYARD_JOBS_';
const MAX_SIDE = 16_383;

export const jobsConfigSchema = z.object({
  EVENTYARD_JOBS_MAX_PAYLOAD_BYTES: wholeNumber(1, 100 * 1024 * 1024)
    .default(10 * 1024 * 1024)
    .describe(
      'Largest decoded `content` of a job, bytes (default 10 MiB); larger requests get 413',
    ),
  EVENTYARD_JOBS_CONCURRENCY: wholeNumber(1, 64)
    .default(2)
    .describe('Jobs a worker process works on at once'),
  EVENTYARD_JOBS_IMAGE_IDLE: flag
    .default(true)
    .describe(
      "Run the worker's image process in Linux's idle scheduling class (SCHED_IDLE, set with util-linux's chrt), so image work takes only the CPU an API in the same host leaves idle; where it cannot be set, the nice value alone lowers it",
    ),
  EVENTYARD_JOBS_IMAGE_NICE: wholeNumber(0, 19)
    .default(10)
    .describe(
      "Nice value of the worker's image process (0: the worker's own); the image process's share of the CPU beside other lowered work, or its whole lowering where the idle class is off or cannot be set",
    ),
  EVENTYARD_JOBS_ATTEMPTS: wholeNumber(1, 100)
    .default(5)
    .describe('Tries of a job that fails for a passing reason before it is FAILED'),
  EVENTYARD_JOBS_MAX_PIXELS: wholeNumber(1, Number.MAX_SAFE_INTEGER)
    .default(THUMBNAIL_DEFAULTS.maxPixels)
    .describe('Images with more pixels are FAILED before decoding (decompression bombs)'),
  EVENTYARD_JOBS_DEFAULT_WIDTH: wholeNumber(1, MAX_SIDE)
    .default(1024)
    .describe('Width of the box a result fits in when the job names none, px'),
  EVENTYARD_JOBS_DEFAULT_HEIGHT: wholeNumber(1, MAX_SIDE)
    .default(1024)
    .describe('Height of the box a result fits in when the job names none, px'),
  EVENTYARD_JOBS_DEFAULT_FORMAT: z
    .enum(THUMBNAIL_FORMATS, { error: `must be one of ${THUMBNAIL_FORMATS.join(', ')}` })
    .default('webp')
    .describe('Format a result is written in when the job names none'),
});

export interface JobsConfig {
  readonly maxPayloadBytes: number;
  readonly concurrency: number;
  /** The image process's priority. */
  readonly imagePriority: ProcessPriority;
  readonly attempts: number;
  readonly maxPixels: number;
  /** What a job that names no operation gets; a job's own fields override these. */
  readonly defaultOperation: Operation;
}

export function loadJobsConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): JobsConfig {
  const v = parsePrefixedSettings(jobsConfigSchema, env, PREFIX);
  return {
    maxPayloadBytes: v.EVENTYARD_JOBS_MAX_PAYLOAD_BYTES,
    concurrency: v.EVENTYARD_JOBS_CONCURRENCY,
    imagePriority: { nice: v.EVENTYARD_JOBS_IMAGE_NICE, idle: v.EVENTYARD_JOBS_IMAGE_IDLE },
    attempts: v.EVENTYARD_JOBS_ATTEMPTS,
    maxPixels: v.EVENTYARD_JOBS_MAX_PIXELS,
    defaultOperation: {
      width: v.EVENTYARD_JOBS_DEFAULT_WIDTH,
      height: v.EVENTYARD_JOBS_DEFAULT_HEIGHT,
      fit: 'inside',
      format: v.EVENTYARD_JOBS_DEFAULT_FORMAT,
      quality: THUMBNAIL_DEFAULTS.quality,
    },
  };
}

export function describeJobsConfig(): Array<{
  name: string;
  description: string;
  default: unknown;
}> {
  return describeSettings(jobsConfigSchema);
}

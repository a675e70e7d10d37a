/**
 * The worker of seed 002: takes job messages from `data_stream`, reads the
 * payload, processes it and stores the result, then publishes `SUCCESS` or
 * `FAILED` (with the reason) on `status_stream`.
 *
 * The processing is real image work with sharp: turned upright per EXIF,
 * metadata stripped, fitted into the job's box without enlarging and
 * re-encoded in the job's format. Content that is not an accepted image
 * (or is truncated, or too large in pixels) fails at once with the reason.
 * Other errors (the store unreachable) are retried by the subscription's
 * policy; the last try that fails publishes `FAILED`, so no job is left
 * `RUNNING`. The result has one key per job, so a retry rewrites the same
 * object, and the outcome commits with the inbox record: one per job.
 * The image work runs in a child process at a lower CPU priority
 * (EVENTYARD_JOBS_IMAGE_IDLE, EVENTYARD_JOBS_IMAGE_NICE): an API in the
 * same host keeps its CPU.
 */
import { createHash } from 'node:crypto';
import { causedBy } from '../../core/envelope.ts';
import { describeError, PermanentError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/object-store.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import { ImageError } from '../image/image-error.ts';
import { type ImageProcess, imageProcessOf } from '../image/image-process.ts';
import { readObjectBytes } from '../shared/object-bytes.ts';
import { type JobMessage, jobMessageSchema, type StatusMessage } from './job-message.ts';
import { type JobsConfig, loadJobsConfig } from './jobs-config.ts';
import { DATA_STREAM, RESULTS_BUCKET, STATUS_STREAM } from './names.ts';
import { prepareBuckets } from './prepare-buckets.ts';

export const worker: ServiceDefinition = {
  name: 'worker',
  subscriptions: (context) => {
    const { objects } = context;
    const jobs = loadJobsConfig(process.env);
    const images = imageProcessOf(context, jobs.imagePriority);
    return [
      {
        topic: DATA_STREAM,
        policy: { concurrency: jobs.concurrency, attempts: jobs.attempts },
        handler: async (event, { transaction, attempt, logger }) => {
          const parsed = jobMessageSchema.safeParse(event.data);
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            throw new PermanentError(`job message refused: ${issue.message}`, {
              path: `data.${issue.path.join('.')}`,
            });
          }
          const job = parsed.data;
          let outcome: StatusMessage;
          try {
            outcome = await processJob(job, objects, images, jobs);
          } catch (error) {
            if (!(error instanceof PermanentError) && attempt < jobs.attempts) throw error;
            const reason =
              error instanceof PermanentError
                ? failureOf(error)
                : `gave up after ${attempt} attempts: ${describeError(error)}`;
            outcome = { jobId: job.jobId, tenantId: job.tenantId, status: 'FAILED', reason };
            logger.info({ jobId: job.jobId, reason }, 'job failed');
          }
          await transaction(({ emit }) =>
            emit(
              STATUS_STREAM,
              causedBy(event, {
                type: outcome.status === 'SUCCESS' ? 'jobs.job.succeeded' : 'jobs.job.failed',
                source: 'jobs/worker',
                subject: job.jobId,
                key: job.jobId,
                data: outcome,
              }),
            ),
          );
        },
      },
    ];
  },
  start: async (context) => {
    await prepareBuckets(context.objects);
    const images = imageProcessOf(context, loadJobsConfig(process.env).imagePriority);
    // Started now, but not waited for: the first job waits for it instead.
    images.start().catch((error) => context.logger.warn({ err: error }, 'image process'));
    return { close: () => images.close() };
  },
};

async function processJob(
  job: JobMessage,
  objects: ObjectStore,
  images: ImageProcess,
  jobs: JobsConfig,
): Promise<StatusMessage> {
  const { payload } = job;
  const bytes = await readObjectBytes(objects, payload.bucket, payload.key, payload.size);
  const md5 = createHash('md5').update(bytes).digest('hex');
  if (md5 !== payload.md5) {
    throw new PermanentError(
      `payload ${payload.key} has changed since the job was created (md5 ${md5})`,
    );
  }
  const image = await images.makeThumbnail(bytes, { ...job.operation, maxPixels: jobs.maxPixels });
  const key = `${encodeURIComponent(job.tenantId)}/${job.jobId}.${image.format === 'jpeg' ? 'jpg' : image.format}`;
  const stored = await objects.put({
    bucket: RESULTS_BUCKET,
    key,
    body: image.data,
    contentType: image.contentType,
    userMetadata: { 'job-id': job.jobId, 'tenant-id': job.tenantId },
  });
  return {
    jobId: job.jobId,
    tenantId: job.tenantId,
    status: 'SUCCESS',
    result: {
      bucket: RESULTS_BUCKET,
      key,
      size: stored.size,
      contentType: image.contentType,
      width: image.width,
      height: image.height,
    },
  };
}

/** The reason a job failed: the image failure's code, when there is one, and the message. */
function failureOf(error: PermanentError): string {
  return error instanceof ImageError ? `${error.reason}: ${error.message}` : error.message;
}

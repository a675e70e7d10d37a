/**
 * The seed's status consumer (in its processor-service): takes outcomes
 * from `status_stream` and moves the job from `RUNNING` to `SUCCESS` or
 * `FAILED`, keeping where the result is or why it failed. Only a `RUNNING`
 * job moves, so a duplicated or late outcome changes nothing and a status
 * never goes back; the inbox makes a redelivered outcome a no-op too.
 */
import { PermanentError } from '../../core/errors.ts';
import type { ServiceContext, ServiceSubscription } from '../../runtime/service.ts';
import { statusMessageSchema } from './job-message.ts';
import { STATUS_STREAM } from './names.ts';
import type { JobsDb } from './schema.ts';

export function statusConsumer(
  _context: ServiceContext<JobsDb>,
): ServiceSubscription<never, JobsDb> {
  return {
    topic: STATUS_STREAM,
    policy: { concurrency: 4 },
    handler: async (event, { transaction, logger }) => {
      const parsed = statusMessageSchema.safeParse(event.data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new PermanentError(`status message refused: ${issue.message}`, {
          path: `data.${issue.path.join('.')}`,
        });
      }
      const outcome = parsed.data;
      const now = new Date().toISOString();
      await transaction(async ({ tx }) => {
        const updated = await tx
          .updateTable('jobs')
          .set(
            outcome.status === 'SUCCESS'
              ? {
                  status: 'SUCCESS',
                  result_key: outcome.result.key,
                  result_size: outcome.result.size,
                  result_content_type: outcome.result.contentType,
                  updated_at: now,
                }
              : { status: 'FAILED', failure_reason: outcome.reason, updated_at: now },
          )
          .where('id', '=', outcome.jobId)
          .where('tenant_id', '=', outcome.tenantId)
          .where('status', '=', 'RUNNING')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) {
          logger.info(
            { jobId: outcome.jobId, status: outcome.status },
            'outcome of a job that is not RUNNING: ignored',
          );
        }
      });
    },
  };
}

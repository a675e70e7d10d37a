/**
 * The job API of seed 002 (its processor-service), under /ptc-file-processor:
 * create a job from a JWT-authenticated `{encoding, md5, content}`, read a
 * job and its status, fetch its payload and result. The payload is stored
 * first; the job row (`RUNNING`) and the job message on `data_stream` then
 * commit in one unit of work, so a job that exists is always worked on.
 * A tenant sees only its own jobs: another tenant's id is 404, as unknown.
 *
 * The service also runs the seed's status consumer (status-consumer.ts).
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import { createEvent } from '../../core/envelope.ts';
import { NotFoundError } from '../../core/errors.ts';
import type { ObjectStore } from '../../core/object-store.ts';
import { parseInput } from '../../runtime/http-input.ts';
import {
  type Caller,
  checkJwtSecretFor,
  createTokenVerifier,
  loadJwtConfig,
} from '../../runtime/jwt.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import type { JobMessage } from './job-message.ts';
import { payloadLocationOf, payloadObjectOf, viewOf } from './job-record.ts';
import { bodyLimitFor, decodeContent, jobRequestSchema } from './job-request.ts';
import { loadJobsConfig } from './jobs-config.ts';
import { BASE_PATH, DATA_STREAM, RESULTS_BUCKET } from './names.ts';
import { openApiDocument } from './openapi.ts';
import { prepareBuckets } from './prepare-buckets.ts';
import type { JobRow, JobsDb } from './schema.ts';
import { statusConsumer } from './status-consumer.ts';

const MAX_ID_LENGTH = 100;

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

function callerOf(request: FastifyRequest): Caller {
  // Set by the scope's onRequest hook before any route of it runs.
  return request.caller!;
}

async function sendObject(
  reply: FastifyReply,
  objects: ObjectStore,
  bucket: string,
  key: string,
  contentType?: string,
): Promise<FastifyReply> {
  const stored = await objects.get(bucket, key);
  return reply
    .header('content-type', contentType ?? stored.info.contentType)
    .header('content-length', stored.info.size)
    .header('etag', `"${stored.info.etag}"`)
    .send(Readable.from(stored.body));
}

export const api: ServiceDefinition<JobsDb> = {
  name: 'api',
  subscriptions: (context) => [statusConsumer(context)],
  async routes(http, context) {
    const { store, objects, config } = context;
    // Before the host listens: a job posted the moment /health answers finds its bucket.
    await prepareBuckets(objects);
    const jobs = loadJobsConfig(process.env);
    const jwt = loadJwtConfig(process.env);
    checkJwtSecretFor(jwt, config.EVENTYARD_HOST);
    const verify = await createTokenVerifier(jwt);
    const yaml = stringify(openApiDocument);

    http.get(`${BASE_PATH}/openapi.json`, () => openApiDocument);
    http.get(`${BASE_PATH}/openapi3-application.yaml`, (_request, reply) =>
      reply.type('application/yaml').send(yaml),
    );

    const findJob = async (request: FastifyRequest<{ Params: { jobId: string } }>) => {
      const { jobId } = request.params;
      const row =
        jobId.length > MAX_ID_LENGTH
          ? undefined
          : await store.db
              .selectFrom('jobs')
              .selectAll()
              .where('id', '=', jobId)
              .where('tenant_id', '=', callerOf(request).tenantId)
              .executeTakeFirst();
      if (!row) throw new NotFoundError(`no job ${jobId}`, { path: 'jobId', kind: 'job' });
      return row;
    };

    await http.register(async (authenticated) => {
      // Before the body is read: an unauthenticated upload is refused without parsing it.
      authenticated.addHook('onRequest', async (request) => {
        request.caller = await verify(request.headers.authorization);
      });

      authenticated.post(
        `${BASE_PATH}/job/image`,
        { bodyLimit: bodyLimitFor(jobs.maxPayloadBytes) },
        async (request, reply) => {
          const caller = callerOf(request);
          const body = parseInput(jobRequestSchema, request.body, 'body');
          const { bytes, md5 } = decodeContent(body, jobs.maxPayloadBytes);
          const id = randomUUID();
          const payload = payloadObjectOf(caller.tenantId, id);
          await objects.put({
            ...payload,
            body: bytes,
            contentType: 'application/octet-stream',
            contentMd5: Buffer.from(md5, 'hex').toString('base64'),
            userMetadata: { 'job-id': id, 'tenant-id': caller.tenantId },
          });
          const now = new Date().toISOString();
          const operation = { ...jobs.defaultOperation, ...body.operation };
          const row: JobRow = {
            id,
            tenant_id: caller.tenantId,
            client_id: caller.clientId,
            subject: caller.subject ?? null,
            payload_key: payload.key,
            payload_size: bytes.length,
            payload_md5: md5,
            operation: JSON.stringify(operation),
            status: 'RUNNING',
            result_key: null,
            result_size: null,
            result_content_type: null,
            failure_reason: null,
            created_at: now,
            updated_at: now,
          };
          const message: JobMessage = {
            jobId: id,
            tenantId: caller.tenantId,
            clientId: caller.clientId,
            subject: row.subject,
            payload: { ...payload, size: bytes.length, md5 },
            operation,
          };
          await store.transaction(async ({ tx, emit }) => {
            await tx.insertInto('jobs').values(row).execute();
            emit(
              DATA_STREAM,
              createEvent({
                type: 'jobs.job.created',
                source: 'jobs/api',
                subject: id,
                key: id,
                data: message,
              }),
            );
          });
          return reply.code(201).send({
            jobId: id,
            payloadLocation: payloadLocationOf(context.publicUrl, id),
            payloadSize: String(bytes.length),
          });
        },
      );

      authenticated.get<{ Params: { jobId: string } }>(`${BASE_PATH}/job/:jobId`, async (request) =>
        viewOf(await findJob(request), context.publicUrl),
      );

      authenticated.get<{ Params: { jobId: string } }>(
        `${BASE_PATH}/job/:jobId/status`,
        async (request) => ({ status: (await findJob(request)).status }),
      );

      authenticated.get<{ Params: { jobId: string } }>(
        `${BASE_PATH}/job/:jobId/payload`,
        async (request, reply) => {
          const row = await findJob(request);
          const { bucket, key } = payloadObjectOf(row.tenant_id, row.id);
          return sendObject(reply, objects, bucket, key);
        },
      );

      authenticated.get<{ Params: { jobId: string } }>(
        `${BASE_PATH}/job/:jobId/result`,
        async (request, reply) => resultOf(reply, await findJob(request), objects),
      );
    });
  },
};

async function resultOf(reply: FastifyReply, row: JobRow, objects: ObjectStore) {
  if (row.status !== 'SUCCESS' || !row.result_key) {
    throw new NotFoundError(`job ${row.id} has no result (status ${row.status})`, {
      path: 'jobId',
      kind: 'result',
      status: row.status,
    });
  }
  const contentType = row.result_content_type ?? undefined;
  return sendObject(reply, objects, RESULTS_BUCKET, row.result_key, contentType);
}

/**
 * The jobs pipeline of seed 002 end to end, with the seed's own request
 * shape: a real image becomes a job, the worker processes it, the status
 * goes RUNNING -> SUCCESS and the result can be fetched; content that is
 * not an image ends FAILED with the reason; outcomes are applied once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { createEvent } from '../../../src/core/envelope.ts';
import { alphaPng, photoJpeg } from '../../fixtures/media/images.ts';
import { waitFor } from '../../support/wait.ts';
import { BASE } from './jobs-client.ts';
import { type JobsHost, startJobsHost } from './jobs-host.ts';

let jobs: JobsHost;

before(async () => {
  jobs = await startJobsHost();
});

after(async () => {
  await jobs.close();
});

test('an image becomes a job that ends SUCCESS, with its result processed and stored', async () => {
  const image = await photoJpeg({ width: 1600, height: 1200 });
  const created = await jobs.client.create(image);
  assert.equal(created.status, 201);
  const { jobId, payloadLocation, payloadSize } = created.body;
  assert.match(jobId, /^[0-9a-f-]{36}$/);
  assert.equal(payloadSize, String(image.length), 'payloadSize is the decoded size, as a string');
  assert.equal(payloadLocation, `${jobs.url}${BASE}/job/${jobId}/payload`);

  const job = await jobs.client.finished(jobId);
  assert.equal(job.status, 'SUCCESS', `failure: ${job.failureReason}`);
  assert.deepEqual(
    { id: job.id, tenantId: job.tenantId, clientId: job.clientId, payloadSize: job.payloadSize },
    { id: jobId, tenantId: '1', clientId: '1', payloadSize: String(image.length) },
  );
  assert.equal(job.failureReason, null);
  assert.equal(job.resultLocation, `${jobs.url}${BASE}/job/${jobId}/result`);

  const status = await jobs.client.request('GET', `${BASE}/job/${jobId}/status`);
  assert.deepEqual(status, { status: 200, body: { status: 'SUCCESS' } });

  const payload = await jobs.client.bytes(jobId, 'payload');
  assert.equal(payload.status, 200);
  assert.ok(payload.bytes.equals(image), 'the payload is the bytes that were sent');

  const result = await jobs.client.bytes(jobId, 'result');
  assert.equal(result.status, 200);
  assert.equal(result.type, 'image/webp');
  assert.equal(job.resultSize, String(result.bytes.length));
  const meta = await sharp(result.bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['webp', 1024, 768]);
});

test('the operation named in the job decides the size and format of the result', async () => {
  const created = await jobs.client.create(await alphaPng(300, 200), {
    operation: { width: 90, height: 90, format: 'png' },
  });
  assert.equal(created.status, 201);
  const job = await jobs.client.finished(created.body.jobId);
  assert.equal(job.status, 'SUCCESS', `failure: ${job.failureReason}`);
  const result = await jobs.client.bytes(job.id, 'result');
  assert.equal(result.type, 'image/png');
  const meta = await sharp(result.bytes).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height, meta.hasAlpha], ['png', 90, 60, true]);
});

test('content that is not an image ends FAILED with the reason, and has no result', async () => {
  const created = await jobs.client.create(Buffer.from('%PDF-1.4 not an image at all'));
  assert.equal(created.status, 201);
  const job = await jobs.client.finished(created.body.jobId);
  assert.equal(job.status, 'FAILED');
  assert.match(job.failureReason ?? '', /^not-an-image: /);
  assert.equal(job.resultLocation, null);
  const result = await jobs.client.request<{ error: { code: string } }>(
    'GET',
    `${BASE}/job/${job.id}/result`,
  );
  assert.equal(result.status, 404);
  assert.equal(result.body.error.code, 'EY_NOT_FOUND');
});

test('a late or duplicated outcome changes nothing: a status never goes back or over', async () => {
  const created = await jobs.client.create(await photoJpeg({ width: 64, height: 48 }));
  const job = await jobs.client.finished(created.body.jobId);
  assert.equal(job.status, 'SUCCESS');
  const late = createEvent({
    type: 'jobs.job.failed',
    source: 'test',
    key: job.id,
    data: { jobId: job.id, tenantId: '1', status: 'FAILED', reason: 'a late outcome' },
  });
  await jobs.host.engines.broker.publish('status_stream', late);
  // A marker job behind it on the same consumer: once it is done, the late outcome was handled.
  const marker = await jobs.client.create(await photoJpeg({ width: 32, height: 32 }));
  await jobs.client.finished(marker.body.jobId);
  await waitFor(
    'the late outcome to be consumed',
    async () => {
      const groups = await jobs.host.engines.broker.groups('status_stream');
      return groups.every((group) => group.lag === 0);
    },
    10_000,
    25,
  );
  const after = (await jobs.client.job(job.id)).body;
  assert.equal(after.status, 'SUCCESS');
  assert.equal(after.failureReason, null);
  assert.equal(after.resultLocation, job.resultLocation);
});

test("the OpenAPI document is served as JSON and as the seed's YAML, without a token", async () => {
  const json = await fetch(`${jobs.url}${BASE}/openapi.json`);
  assert.equal(json.status, 200);
  const document = (await json.json()) as { paths: Record<string, unknown> };
  assert.ok(document.paths[`${BASE}/job/image`]);
  assert.ok(document.paths[`${BASE}/job/{jobId}/status`]);
  const yaml = await fetch(`${jobs.url}${BASE}/openapi3-application.yaml`);
  assert.equal(yaml.status, 200);
  assert.match(yaml.headers.get('content-type') ?? '', /yaml/);
  assert.match(await yaml.text(), /openapi: 3\.1\.0/);
});

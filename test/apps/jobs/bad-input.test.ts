/**
 * Bad input to the job API, each refused with a clear 4xx body naming what
 * is wrong, while good jobs keep flowing: no token, an expired one, a
 * wrong signature or audience; an md5 that does not match; content that is
 * not base64; a body over the limit; unknown jobs and other tenants' jobs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { photoJpeg } from '../../fixtures/media/images.ts';
import { BASE, JobsClient, jobBody, tokenFor } from './jobs-client.ts';
import { type JobsHost, startJobsHost } from './jobs-host.ts';

interface ErrorBody {
  error: { code: string; message: string; path?: string };
}

const LIMIT = 64 * 1024;
let jobs: JobsHost;
let image: Buffer;

before(async () => {
  process.env.EVENTYARD_JOBS_MAX_PAYLOAD_BYTES = String(LIMIT);
  jobs = await startJobsHost();
  image = await photoJpeg({ width: 64, height: 48 });
});

after(async () => {
  await jobs.close();
  delete process.env.EVENTYARD_JOBS_MAX_PAYLOAD_BYTES;
});

async function post(body: string, authorization?: string) {
  return jobs.client.request<ErrorBody>(
    'POST',
    `${BASE}/job/image`,
    body,
    authorization ?? jobs.client.token,
  );
}

function refused(
  answer: { status: number; body: ErrorBody },
  status: number,
  code: string,
  path: string,
  message: RegExp,
) {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.error.code, code);
  assert.equal(answer.body.error.path, path);
  assert.match(answer.body.error.message, message);
}

const sign = (claims: Record<string, unknown>, secret: string, exp: number | string = '1h') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
const DEV_SECRET = 'eventyard-development-jwt-secret';
const SEED_CLAIMS = { tid: 1, oid: 1, aud: 'com.company.jobservice' };

test('a missing, malformed, expired or wrongly signed token is 401; another audience is 403', async () => {
  refused(await post(jobBody(image), ''), 401, 'EY_UNAUTHORIZED', 'authorization', /missing/);
  refused(
    await post(jobBody(image), 'Bearer nope'),
    401,
    'EY_UNAUTHORIZED',
    'authorization',
    /not hold a JWT/,
  );
  const expired = await sign(SEED_CLAIMS, DEV_SECRET, Math.floor(Date.now() / 1000) - 60);
  refused(await post(jobBody(image), expired), 401, 'EY_UNAUTHORIZED', 'authorization', /expired/);
  const forged = await sign(SEED_CLAIMS, 'someone-elses-secret-of-32-bytes');
  refused(await post(jobBody(image), forged), 401, 'EY_UNAUTHORIZED', 'authorization', /signature/);
  const noExp = await new SignJWT(SEED_CLAIMS)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(DEV_SECRET));
  refused(await post(jobBody(image), noExp), 401, 'EY_UNAUTHORIZED', 'authorization', /exp/);
  const elsewhere = await sign({ ...SEED_CLAIMS, aud: 'com.company.other' }, DEV_SECRET);
  refused(await post(jobBody(image), elsewhere), 403, 'EY_FORBIDDEN', 'authorization', /audience/);
  const nobody = await sign({ aud: SEED_CLAIMS.aud, oid: 1 }, DEV_SECRET);
  refused(await post(jobBody(image), nobody), 403, 'EY_FORBIDDEN', 'authorization.tid', /tid/);
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(SEED_CLAIMS)).toString('base64url')}.`;
  refused(await post(jobBody(image), none), 401, 'EY_UNAUTHORIZED', 'authorization', /algorithm/);
  // Reads are guarded the same way.
  const read = await jobs.client.request<ErrorBody>('GET', `${BASE}/job/anything`, undefined, '');
  assert.equal(read.status, 401);
});

test('the token is read bare, as the seed sends it, or as Bearer', async () => {
  const bare = await post(jobBody(image));
  assert.equal(bare.status, 201);
  const bearer = await post(jobBody(image), `Bearer ${jobs.client.token}`);
  assert.equal(bearer.status, 201);
});

test('an md5 that does not match the decoded content is 400 naming md5', async () => {
  const answer = await post(jobBody(image, { md5: '0'.repeat(32) }));
  refused(answer, 400, 'EY_VALIDATION', 'md5', /does not match the decoded content/);
  // The seed's placeholder is no md5 at all.
  refused(await post(jobBody(image, { md5: '123456' })), 400, 'EY_VALIDATION', 'md5', /MD5/);
});

test('content that is not base64 is 400 naming content', async () => {
  const answer = await post(jobBody(image, { content: 'not*base64!' }));
  refused(answer, 400, 'EY_VALIDATION', 'content', /not valid base64/);
  const url = await post(jobBody(image, { encoding: 'base64url', content: 'ab+/' }));
  refused(url, 400, 'EY_VALIDATION', 'content', /not valid base64url/);
  refused(
    await post(jobBody(image, { encoding: 'gzip' })),
    400,
    'EY_VALIDATION',
    'encoding',
    /base64/,
  );
});

test('invalid JSON, a missing field and an unknown field are 400 naming the field', async () => {
  refused(await post('{"encoding": "base64",'), 400, 'EY_VALIDATION', 'body', /not valid JSON/);
  const { content: _, ...withoutContent } = JSON.parse(jobBody(image)) as Record<string, unknown>;
  refused(await post(JSON.stringify(withoutContent)), 400, 'EY_VALIDATION', 'content', /string/);
  refused(await post(jobBody(image, { colour: 'red' })), 400, 'EY_VALIDATION', 'colour', /colour/);
  const operation = await post(jobBody(image, { operation: { width: 0 } }));
  refused(operation, 400, 'EY_VALIDATION', 'operation.width', />=1|at least|too small/i);
});

test('a body or content over the limit is 413', async () => {
  const big = Buffer.alloc(LIMIT + 1, 7);
  const answer = await post(jobBody(big));
  assert.equal(answer.status, 413, JSON.stringify(answer.body));
  assert.equal(answer.body.error.code, 'EY_TOO_LARGE');
  const huge = await post(jobBody(Buffer.alloc(LIMIT * 2, 7)));
  assert.equal(huge.status, 413);
  assert.match(huge.body.error.message, /larger than the limit/);
});

test("an unknown job and another tenant's job are both 404", async () => {
  const created = await post(jobBody(image));
  const { jobId } = created.body as unknown as { jobId: string };
  const other = new JobsClient(jobs.url, await tokenFor('2'));
  for (const path of [
    `/job/${jobId}`,
    `/job/${jobId}/status`,
    `/job/${jobId}/payload`,
    `/job/${jobId}/result`,
  ]) {
    const answer = await other.request<ErrorBody>('GET', `${BASE}${path}`);
    assert.equal(answer.status, 404, path);
    assert.equal(answer.body.error.code, 'EY_NOT_FOUND');
  }
  const unknown = await jobs.client.request<ErrorBody>('GET', `${BASE}/job/no-such-job/status`);
  refused(unknown, 404, 'EY_NOT_FOUND', 'jobId', /no job no-such-job/);
  const own = await jobs.client.request('GET', `${BASE}/job/${jobId}/status`);
  assert.equal(own.status, 200);
});

test('after all of that, good jobs still go through to SUCCESS', async () => {
  const created = await Promise.all([1, 2, 3].map(() => jobs.client.create(image)));
  for (const answer of created) assert.equal(answer.status, 201);
  for (const answer of created) {
    assert.equal((await jobs.client.finished(answer.body.jobId)).status, 'SUCCESS');
  }
});

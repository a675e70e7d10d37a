/**
 * Token verification (runtime/jwt.ts) with real keys: HS256 with the
 * configured secret (the seed's own token included), RS256 with a PEM key
 * and with a JWKS served over HTTP, and the configuration's refusals.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import {
  checkJwtSecretFor,
  createTokenVerifier,
  loadJwtConfig,
  signToken,
} from '../../src/runtime/jwt.ts';

/** The token in seed 002's README, signed by jwt.io's example secret; it has no `exp`. */
const SEED_TOKEN =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyLCJ0aWQiOjEsIm9pZCI6MSwiYXVkIjoiY29tLmNvbXBhbnkuam9ic2VydmljZSIsImF6cCI6IjEiLCJlbWFpbCI6ImN1c3RvbWVyQG1haWwuY29tIn0.CcTapGbWX0UEMovUwC8kAcWMUxmbOeO0qhsu-wqHQH0';

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = (await promise.then(
    () => assert.fail('accepted'),
    (e: unknown) => e,
  )) as { code: string; message: string };
  return error;
}

test("the seed's own token verifies with its secret once exp is not required, and is refused while it is", async () => {
  const env = { EVENTYARD_JWT_SECRET: 'your-256-bit-secret' };
  const lenient = await createTokenVerifier(
    loadJwtConfig({ ...env, EVENTYARD_JWT_REQUIRE_EXP: 'false' }),
  );
  assert.deepEqual(await lenient(SEED_TOKEN), {
    tenantId: '1',
    clientId: '1',
    subject: '1234567890',
  });
  const strict = await createTokenVerifier(loadJwtConfig(env));
  const error = await refusal(strict(SEED_TOKEN));
  assert.equal(error.code, 'EY_UNAUTHORIZED');
  assert.match(error.message, /exp/);
});

test('a token from signToken (eventyard token) carries tid, oid, aud and exp, and verifies', async () => {
  const config = loadJwtConfig({ EVENTYARD_JWT_SECRET: 'a-secret-of-enough-length' });
  const token = await signToken(config, { tenantId: 'acme', clientId: '7', expiresIn: '5m' });
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  assert.equal(claims.tid, 'acme');
  assert.equal(claims.oid, 7);
  assert.equal(claims.aud, 'com.company.jobservice');
  assert.ok(Number(claims.exp) - Number(claims.iat) === 300);
  const verify = await createTokenVerifier(config);
  assert.deepEqual(await verify(`Bearer ${token}`), {
    tenantId: 'acme',
    clientId: '7',
    subject: '7',
  });
  const other = await createTokenVerifier(loadJwtConfig({}));
  assert.equal((await refusal(other(token))).code, 'EY_UNAUTHORIZED');
});

test('RS256 tokens verify with a PEM public key; HS256 is then refused unless a secret is set', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const pem = await exportSPKI(publicKey);
  const token = await new SignJWT({ tid: 3, oid: 4, aud: 'com.company.jobservice' })
    .setProtectedHeader({ alg: 'RS256' })
    .setExpirationTime('1m')
    .sign(privateKey);
  const config = loadJwtConfig({ EVENTYARD_JWT_PUBLIC_KEY: pem });
  assert.equal(config.secret, undefined, 'no development secret next to an RS256 key');
  const verify = await createTokenVerifier(config);
  assert.equal((await verify(token)).tenantId, '3');
  const hs = await signToken(loadJwtConfig({}), { tenantId: '3', clientId: '4', expiresIn: '1m' });
  const error = await refusal(verify(hs));
  assert.equal(error.code, 'EY_UNAUTHORIZED');
  assert.match(error.message, /algorithm/);
});

test('RS256 tokens verify with the keys of a JWKS URL, by kid', async () => {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    const verify = await createTokenVerifier(loadJwtConfig({ EVENTYARD_JWT_JWKS_URL: url }));
    const sign = (kid: string) =>
      new SignJWT({ tid: 'x', oid: 'y', aud: 'com.company.jobservice' })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setExpirationTime('1m')
        .sign(privateKey);
    assert.equal((await verify(await sign('k1'))).clientId, 'y');
    const error = await refusal(verify(await sign('unknown')));
    assert.equal(error.code, 'EY_UNAUTHORIZED');
    assert.match(error.message, /JWKS/);
  } finally {
    server.close();
  }
});

test('issuer and audience are checked as configured', async () => {
  const config = loadJwtConfig({
    EVENTYARD_JWT_SECRET: 'a-secret-of-enough-length',
    EVENTYARD_JWT_AUDIENCE: 'jobs',
    EVENTYARD_JWT_ISSUER: 'https://id.example',
  });
  const verify = await createTokenVerifier(config);
  const good = await signToken(config, { tenantId: '1', clientId: '1', expiresIn: '1m' });
  assert.equal((await verify(good)).tenantId, '1');
  const foreign = await signToken(
    { ...config, issuer: 'https://elsewhere.example' },
    { tenantId: '1', clientId: '1', expiresIn: '1m' },
  );
  assert.equal((await refusal(verify(foreign))).code, 'EY_FORBIDDEN');
});

test('the development secret is refused off loopback, and bad settings name their variable', () => {
  const dev = loadJwtConfig({});
  assert.equal(dev.developmentSecret, true);
  checkJwtSecretFor(dev, '127.0.0.1');
  assert.throws(() => checkJwtSecretFor(dev, '0.0.0.0'), {
    code: 'EY_CONFIG',
    details: { path: 'EVENTYARD_JWT_SECRET' },
  });
  checkJwtSecretFor(
    loadJwtConfig({ EVENTYARD_JWT_SECRET: 'a-secret-of-enough-length' }),
    '0.0.0.0',
  );
  for (const [name, value] of [
    ['EVENTYARD_JWT_SECRET', 'short'],
    ['EVENTYARD_JWT_PUBLIC_KEY', 'not a key'],
    ['EVENTYARD_JWT_JWKS_URL', 'ftp://keys'],
    ['EVENTYARD_JWT_REQUIRE_EXP', 'maybe'],
    ['EVENTYARD_JWT_CLOCK_TOLERANCE_SECONDS', '-1'],
    ['EVENTYARD_JWT_SCRET', 'typo'],
  ] as const) {
    assert.throws(
      () => loadJwtConfig({ [name]: value }),
      { code: 'EY_CONFIG', details: { path: name } },
      name,
    );
  }
});

test('a verified token is remembered only until it expires', async () => {
  const config = loadJwtConfig({
    EVENTYARD_JWT_SECRET: 'a-secret-of-enough-length',
    EVENTYARD_JWT_CLOCK_TOLERANCE_SECONDS: '0',
  });
  const verify = await createTokenVerifier(config);
  const token = await signToken(config, { tenantId: '1', clientId: '1', expiresIn: '2s' });
  assert.equal((await verify(token)).tenantId, '1');
  assert.equal((await verify(token)).tenantId, '1', 'the second use is answered from memory');
  await new Promise((done) => setTimeout(done, 2_100));
  const error = await refusal(verify(token));
  assert.equal(error.code, 'EY_UNAUTHORIZED');
  assert.match(error.message, /expired/);
});

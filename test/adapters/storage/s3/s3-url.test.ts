import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseS3Url } from '../../../../src/adapters/storage/s3/s3-url.ts';
import { ConfigError } from '../../../../src/core/errors.ts';

const SECRET = 'sup3r/s3cret+key';
const ENCODED = encodeURIComponent(SECRET);

test('s3:// with a percent-encoded secret, region and tls', () => {
  const connection = parseS3Url(`s3://minio:${ENCODED}@127.0.0.1:9000?region=eu-west-3&tls=false`);
  assert.deepEqual(connection, {
    endpoint: 'http://127.0.0.1:9000',
    region: 'eu-west-3',
    forcePathStyle: true,
    credentials: { accessKeyId: 'minio', secretAccessKey: SECRET },
    display: 's3://minio:***@127.0.0.1:9000?region=eu-west-3&tls=false',
  });
});

test('defaults: HTTPS for s3://, region from the environment, virtual hosts on AWS', () => {
  const env = { AWS_DEFAULT_REGION: 'ap-south-1' };
  const minio = parseS3Url('s3://k:s@objects.example.com', env);
  assert.equal(minio.endpoint, 'https://objects.example.com');
  assert.equal(minio.region, 'ap-south-1');
  assert.equal(minio.forcePathStyle, true);
  const aws = parseS3Url('s3://aws?region=us-west-2', env);
  assert.equal(aws.endpoint, undefined);
  assert.equal(aws.credentials, undefined);
  assert.equal(aws.forcePathStyle, false);
  assert.equal(parseS3Url('http://k:s@localhost:4568', {}).region, 'us-east-1');
});

test('a bad URL is a ConfigError naming the parameter, never showing the secret', () => {
  const cases: Array<[string, string]> = [
    [`ftp://k:${ENCODED}@h`, 'scheme'],
    [`s3://k:${ENCODED}@h/bucket`, 'path'],
    [`s3://k:${ENCODED}@h#x`, 'fragment'],
    [`http://k:${ENCODED}@h?tls=true`, 'tls'],
    [`s3://k:${ENCODED}@h?tls=yes`, 'tls'],
    [`s3://k:${ENCODED}@h?region=Not_A_Region`, 'region'],
    [`s3://k:${ENCODED}@h?forcePathStyle=1`, 'forcePathStyle'],
    [`s3://k:${ENCODED}@h?secret=${ENCODED}`, 'secret'],
    [`s3://k:${ENCODED}@h?region=a&region=b`, 'region'],
    [`s3://aws:9000?region=us-east-1`, 'port'],
    [`s3://:${ENCODED}@h`, 'access key'],
    [`s3://k:%E0%A4%A@h`, 'secret'],
  ];
  for (const [url, parameter] of cases) {
    assert.throws(
      () => parseS3Url(url, {}),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `${parameter}: ${String(error)}`);
        assert.equal(error.details.parameter, parameter, error.message);
        assert.equal(error.details.path, 'url');
        const shown = `${error.message} ${JSON.stringify(error.details)}`;
        for (const secret of [SECRET, ENCODED, 'sup3r', 's3cret']) {
          assert.ok(!shown.includes(secret), `the secret is not shown: ${shown}`);
        }
        return true;
      },
      url.replace(ENCODED, '***'),
    );
  }
});

test('a secret with an unencoded / spills into the path, which is not shown either', () => {
  assert.throws(
    () => parseS3Url('s3://k:9000/s3cret@h', {}),
    (error: unknown) => error instanceof ConfigError && !error.message.includes('s3cret'),
  );
  assert.throws(
    () => parseS3Url('not a url with s3cret', {}),
    (error: unknown) => error instanceof ConfigError && !error.message.includes('s3cret'),
  );
});

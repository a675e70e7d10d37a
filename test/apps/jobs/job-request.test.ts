import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  decodeContent,
  type JobRequest,
  PayloadTooLargeError,
} from '../../../src/apps/jobs/job-request.ts';
import { ValidationError } from '../../../src/core/errors.ts';

const bytes = Buffer.from('eventyard job content: any bytes \u0000\u00ff\u0010!', 'latin1');
const md5 = createHash('md5').update(bytes).digest('hex');

function request(content: string, encoding: JobRequest['encoding'] = 'base64'): JobRequest {
  return { encoding, md5, content };
}

function refusedContent(content: string, encoding: JobRequest['encoding'] = 'base64'): void {
  assert.throws(
    () => decodeContent(request(content, encoding), 1_000),
    (error: unknown) =>
      error instanceof ValidationError &&
      error.message === `content is not valid ${encoding}` &&
      error.details.path === 'content',
    JSON.stringify(content),
  );
}

test('base64 and base64url decode, with padding or without', () => {
  const padded = bytes.toString('base64');
  assert.ok(padded.endsWith('='), 'the sample needs padding');
  for (const content of [padded, padded.replace(/=+$/, '')]) {
    assert.deepEqual(decodeContent(request(content), 1_000), { bytes, md5 });
  }
  const url = bytes.toString('base64url');
  for (const content of [url, url + '='.repeat((4 - (url.length % 4)) % 4)]) {
    assert.deepEqual(decodeContent(request(content, 'base64url'), 1_000).bytes, bytes);
  }
});

test('text that is not the encoding is refused, wherever the fault is', () => {
  const good = bytes.toString('base64');
  refusedContent('not*base64!');
  refusedContent(`*${good.slice(1)}`); // first character
  refusedContent(`${good.slice(0, 20)}*${good.slice(21)}`); // in the middle
  refusedContent(`${good.slice(0, -3)}*==`); // in the last group
  refusedContent(`${good.slice(0, 8)} ${good.slice(8)}`); // whitespace
  refusedContent(`${good.slice(0, 8)}=${good.slice(8)}`); // padding inside
  refusedContent(`${good.replace(/=+$/, '')}===`); // three padding characters
  refusedContent('QUJDR'); // a length no encoder writes
  refusedContent('QR=='); // bits past the last byte: no encoder writes it ('QQ==' is 'A')
  refusedContent('ab+/', 'base64url'); // the other alphabet
  refusedContent('ab-_', 'base64');
  refusedContent('====');
});

test('content decoding past the limit is 413 before it is decoded', () => {
  const large = Buffer.alloc(3_000, 7).toString('base64');
  assert.throws(
    () => decodeContent(request(large), 2_999),
    (error: unknown) => error instanceof PayloadTooLargeError && /3000 bytes/.test(error.message),
  );
});

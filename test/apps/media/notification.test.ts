import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { queryUnescape, readNotification } from '../../../src/apps/media/notification.ts';
import { minioNotification, queryEscape } from '../../../src/core/bucket-notification.ts';
import { PermanentError } from '../../../src/core/errors.ts';

const info = {
  bucket: 'images',
  key: 'holiday/Tom & Jerry (1)+x %.jpg',
  size: 2048,
  etag: 'd41d8cd98f00b204e9800998ecf8427e',
  contentType: 'image/jpeg',
  userMetadata: {},
  lastModified: new Date('2026-01-02T03:04:05Z'),
};

describe('reading bucket notifications', () => {
  test('given a MinIO notification, when read, then the upload is named with its key unescaped', () => {
    const note = minioNotification(
      's3:ObjectCreated:Put',
      info,
      { topic: 't', events: ['s3:*'] },
      {
        time: new Date('2026-01-02T03:04:06Z'),
      },
    );
    const [upload] = readNotification(JSON.parse(JSON.stringify(note)));
    assert.deepEqual(upload, {
      eventName: 's3:ObjectCreated:Put',
      bucket: 'images',
      key: info.key,
      size: 2048,
      etag: info.etag,
      contentType: 'image/jpeg',
      eventTime: '2026-01-02T03:04:06.000Z',
      sequencer: note.Records[0].s3.object.sequencer,
    });
  });

  test('given keys with reserved characters, when escaped as Go does and unescaped, then they round-trip', () => {
    for (const key of ['a b', 'a+b', 'a%2Fb', 'ünï/cødé', "it's (1)*!", '~-_.']) {
      assert.equal(queryUnescape(queryEscape(key)), key);
    }
    assert.equal(queryEscape('a b/c'), 'a+b%2Fc');
  });

  test('given a MinIO record captured from a real server (quoted eTag, + for spaces), when read, then it is understood', () => {
    const captured = {
      EventName: 's3:ObjectCreated:Put',
      Key: 'images/my photo.jpg',
      Records: [
        {
          eventVersion: '2.0',
          eventSource: 'minio:s3',
          eventTime: '2026-03-01T10:00:00.123Z',
          eventName: 's3:ObjectCreated:Put',
          s3: {
            bucket: { name: 'images' },
            object: { key: 'my+photo.jpg', size: 10, eTag: '"abc"', sequencer: '17F0A' },
          },
        },
      ],
    };
    const [upload] = readNotification(captured);
    assert.equal(upload!.key, 'my photo.jpg');
    assert.equal(upload!.etag, 'abc');
    assert.equal(upload!.contentType, 'application/octet-stream');
  });

  test('given malformed notifications, when read, then each is a PermanentError naming what is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /data/],
      [{ EventName: 'x', Key: 'k', Records: [] }, /Records/],
      [
        { EventName: 'x', Key: 'k', Records: [{ eventName: 'e', eventTime: 'soon', s3: {} }] },
        /eventTime/,
      ],
      [
        {
          EventName: 'x',
          Key: 'k',
          Records: [
            {
              eventName: 'e',
              eventTime: '2026-01-01T00:00:00Z',
              s3: { bucket: { name: 'b' }, object: { key: '%E0%A4%A', sequencer: '1' } },
            },
          ],
        },
        /query-escaped/,
      ],
    ];
    for (const [data, reason] of cases) {
      assert.throws(
        () => readNotification(data),
        (error: unknown) => {
          assert.ok(error instanceof PermanentError);
          assert.match(error.message, reason);
          return true;
        },
      );
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  decodeCursor,
  encodeCursor,
  newImageRow,
  recordOf,
  thumbnailKeyOf,
  thumbnailUrlOf,
} from '../../../src/apps/media/image-record.ts';

const upload = {
  eventName: 's3:ObjectCreated:Put',
  bucket: 'images',
  key: 'a/b.jpg',
  size: 10,
  etag: 'e',
  contentType: 'image/jpeg',
  eventTime: '2026-01-01T00:00:00.000Z',
  sequencer: 'S1',
};

describe('image records', () => {
  test('given an upload with dimensions, when a record is made, then it is indexed with the seed fields', () => {
    const row = newImageRow(upload, { width: 40, height: 30 }, new Date('2026-01-01T00:00:01Z'));
    const record = recordOf(row);
    assert.equal(record.status, 'indexed');
    assert.equal(record.width, 40);
    assert.equal(record.height, 30);
    assert.equal(record.thumbnailUrl, null);
    assert.equal(record.error, null);
    assert.deepEqual(Object.keys(record).sort(), [
      'bucket',
      'contentType',
      'error',
      'etag',
      'height',
      'id',
      'key',
      'size',
      'status',
      'thumbnailUrl',
      'uploadedAt',
      'width',
    ]);
  });

  test('given an upload that is no image, when a record is made, then its dimensions are null', () => {
    const record = recordOf(newImageRow(upload, undefined));
    assert.equal(record.width, null);
    assert.equal(record.height, null);
  });

  test('given two uploads, when records are made, then their ids differ', () => {
    assert.notEqual(newImageRow(upload, undefined).id, newImageRow(upload, undefined).id);
  });

  test('given a record id, when its thumbnail is named, then key and URL are stable', () => {
    assert.equal(thumbnailKeyOf('abc', 'webp'), 'abc.webp');
    assert.equal(thumbnailUrlOf('http://h:1', 'a b'), 'http://h:1/media/images/a%20b/thumbnail');
  });

  test('given a cursor, when decoded, then it round-trips, and junk is refused', () => {
    const row = { created_at: '2026-01-01T00:00:01.000Z', id: 'x|y' };
    assert.deepEqual(decodeCursor(encodeCursor(row)), { createdAt: row.created_at, id: 'x|y' });
    assert.equal(decodeCursor('not-a-cursor'), undefined);
    assert.equal(decodeCursor(Buffer.from('nope|1').toString('base64url')), undefined);
  });
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import type { ObjectStore } from '../../../src/core/object-store.ts';
import { uniqueName } from '../../support/names.ts';
import type { ObjectStoreTarget, ObjectStoreTargetOptions } from './target.ts';

export interface SuiteContext {
  readonly target: ObjectStoreTarget;
  readonly scope: string;
  /**
   * A store for one test, with buckets of its own: every bucket made with
   * `bucket()` is emptied and deleted, and the store closed, when the test ends.
   */
  open(t: TestContext, options?: ObjectStoreTargetOptions): Promise<TestStore>;
}

export interface TestStore {
  readonly store: ObjectStore;
  /** Creates a bucket with a name of its own. */
  bucket(prefix?: string): Promise<string>;
}

export function makeContext(target: ObjectStoreTarget, scope: string): SuiteContext {
  return {
    target,
    scope,
    async open(t, options) {
      const store = await target.open(scope, options);
      const buckets: string[] = [];
      t.after(async () => {
        try {
          for (const bucket of buckets) await removeBucket(store, bucket);
        } finally {
          // Closed even when the clean-up fails: an open store keeps the test process alive.
          await store.close();
        }
      });
      return {
        store,
        async bucket(prefix = 'conf') {
          const name = uniqueName(prefix);
          await store.createBucket(name);
          buckets.push(name);
          return name;
        },
      };
    },
  };
}

async function removeBucket(store: ObjectStore, bucket: string): Promise<void> {
  const exists = (await store.listBuckets()).some((b) => b.name === bucket);
  if (!exists) return;
  for (;;) {
    const { items } = await store.list(bucket);
    if (items.length === 0) break;
    await Promise.all(items.map((item) => store.delete(bucket, item.key)));
  }
  await store.deleteBucket(bucket);
}

/** `size` reproducible pseudo-random bytes (a different stream per seed). */
export function bytes(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The buffer as an async iterable of uneven chunks, yielding to the event loop between them. */
export async function* chunked(data: Buffer, chunkSize = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let at = 0, n = 0; at < data.length; n++) {
    const size = Math.max(1, chunkSize - (n % 7) * 997);
    yield data.subarray(at, at + size);
    at += size;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

export function md5Hex(data: Uint8Array): string {
  return createHash('md5').update(data).digest('hex');
}

export function md5Base64(data: Uint8Array): string {
  return createHash('md5').update(data).digest('base64');
}

/** For assert.rejects: the error is the contract's error class, with these details. */
export function failsWith(
  kind: new (...args: never[]) => Error,
  details: Record<string, unknown> = {},
): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof kind, `expected a ${kind.name}, got ${String(error)}`);
    const actual = (error as { details?: Record<string, unknown> }).details ?? {};
    for (const [name, value] of Object.entries(details)) {
      assert.equal(actual[name], value, `details.${name} of: ${error.message}`);
    }
    return true;
  };
}

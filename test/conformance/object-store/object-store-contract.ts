/**
 * The object store contract (src/core/object-store.ts) as one suite every
 * object store runs unchanged: `runObjectStoreContract(target)`. It checks
 * behaviour through the contract only, never a store's internals.
 */
import { after, describe } from 'node:test';
import { tempDir } from '../../support/temp-dir.ts';
import { bucketsContract } from './contract-buckets.ts';
import { limitsContract } from './contract-limits.ts';
import { listingContract } from './contract-listing.ts';
import { namesContract } from './contract-names.ts';
import { objectsContract } from './contract-objects.ts';
import { rangesContract } from './contract-ranges.ts';
import { makeContext } from './suite-context.ts';
import type { ObjectStoreTarget } from './target.ts';

export async function runObjectStoreContract(target: ObjectStoreTarget): Promise<void> {
  const skip = await target.skip?.();
  const scope = tempDir(`eventyard-objects-${target.name}-`);
  const ctx = makeContext(target, scope.path);
  describe(`object store contract: ${target.name}`, { skip }, () => {
    after(() => scope.remove());
    describe('buckets', () => bucketsContract(ctx));
    describe('objects', () => objectsContract(ctx));
    describe('byte ranges', () => rangesContract(ctx));
    describe('listing', () => listingContract(ctx));
    const deviations = target.serverDeviations ?? {};
    describe('names', { skip: deviations.names }, () => namesContract(ctx));
    describe('limits and concurrency', { skip: deviations.limits }, () => limitsContract(ctx));
  });
}

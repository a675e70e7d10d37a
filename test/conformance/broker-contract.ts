/**
 * The broker contract (DESIGN.md, "Broker contract") as one suite every
 * broker adapter runs unchanged: `runBrokerContract(target)`. What an engine
 * cannot do, its capabilities say, and the suite checks that it says so.
 */
import { after, before, describe } from 'node:test';
import { tempDir } from '../support/temp-dir.ts';
import { crashContract } from './contract-crash.ts';
import { groupsContract } from './contract-groups.ts';
import { orderContract } from './contract-order.ts';
import { publishContract } from './contract-publish.ts';
import { replayContract } from './contract-replay.ts';
import { retryContract } from './contract-retry.ts';
import { makeContext } from './suite-context.ts';
import type { BrokerTarget } from './target.ts';

export async function runBrokerContract(target: BrokerTarget): Promise<void> {
  const skip = await target.skip?.();
  const scope = tempDir(`eventyard-${target.name}-`);
  const ctx = makeContext(target, scope.path);
  describe(`broker contract: ${target.name}`, { skip }, () => {
    before(() => {});
    after(() => scope.remove());
    describe('publish', () => publishContract(ctx));
    describe('order and concurrency', () => orderContract(ctx));
    describe('groups', () => groupsContract(ctx));
    describe('retry and dead letters', () => retryContract(ctx));
    describe('replay and delayed delivery', () => replayContract(ctx));
    describe('crashes', () => crashContract(ctx));
  });
}

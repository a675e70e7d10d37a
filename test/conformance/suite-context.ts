import type { TestContext } from 'node:test';
import type { Broker, Handler, SubscribeOptions, Subscription } from '../../src/core/broker.ts';
import { createEvent, type Envelope } from '../../src/core/envelope.ts';
import { uniqueName } from '../support/names.ts';
import type { BrokerTarget } from './target.ts';

export interface SuiteContext {
  readonly target: BrokerTarget;
  /** The scope every broker of this run opens (a temp dir for the embedded engine). */
  readonly scope: string;
  /** A broker closed when the test ends. */
  broker(t: TestContext): Promise<Broker>;
}

export function makeContext(target: BrokerTarget, scope: string): SuiteContext {
  return {
    target,
    scope,
    async broker(t) {
      const broker = await target.open(scope);
      await broker.ready();
      t.after(() => broker.close());
      return broker;
    },
  };
}

export function names(prefix: string): { topic: string; group: string } {
  return { topic: uniqueName(`${prefix}-t`), group: uniqueName(`${prefix}-g`) };
}

export function events(
  count: number,
  key?: (i: number) => string | undefined,
): Envelope<{ i: number }>[] {
  return Array.from({ length: count }, (_, i) =>
    createEvent({ type: 'conformance.test', source: 'conformance', data: { i }, key: key?.(i) }),
  );
}

/** Subscribes and records what the handler saw, in order of handling. */
export async function recorder<T = { i: number }>(
  broker: Broker,
  options: Omit<SubscribeOptions<T>, 'handler'> & { handler?: Handler<T> },
): Promise<{ seen: Envelope<T>[]; subscription: Subscription }> {
  const seen: Envelope<T>[] = [];
  const subscription = await broker.subscribe<T>({
    ...options,
    handler: async (event, context) => {
      await options.handler?.(event, context);
      seen.push(event);
    },
  });
  return { seen, subscription };
}

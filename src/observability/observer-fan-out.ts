/**
 * One BrokerObserver that forwards every report to several (metrics and
 * logs). The contract says observers must not throw; this guards it anyway,
 * because a throwing observer would otherwise fail the delivery it reports on.
 */
import type { BrokerObserver } from '../core/observer.ts';

type Hook = keyof BrokerObserver;

const HOOKS: readonly Hook[] = [
  'published',
  'tried',
  'consumed',
  'retried',
  'deadLettered',
  'failed',
];

export function fanOutObservers(...observers: readonly BrokerObserver[]): BrokerObserver {
  const fanned: Record<string, (...args: unknown[]) => void> = {};
  for (const hook of HOOKS) {
    const targets = observers
      .filter((observer) => typeof observer[hook] === 'function')
      .map((observer) => observer[hook]!.bind(observer) as (...args: unknown[]) => void);
    if (targets.length === 0) continue;
    fanned[hook] = (...args: unknown[]) => {
      for (const target of targets) {
        try {
          target(...args);
        } catch {
          // An observer is bookkeeping: losing one report beats failing a delivery.
        }
      }
    };
  }
  return fanned as BrokerObserver;
}

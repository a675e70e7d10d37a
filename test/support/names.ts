import { randomUUID } from 'node:crypto';

/** A topic or group name of its own for each test, so suites can share one server. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

import type { PublishOptions } from './broker.ts';
import { ValidationError } from './errors.ts';

/** The epoch ms a publish asks delivery to wait for, or undefined for at once. */
export function deliverAtOf(options: PublishOptions = {}, now = Date.now()): number | undefined {
  const { delayMs, deliverAt } = options;
  if (delayMs === undefined && deliverAt === undefined) return undefined;
  if (delayMs !== undefined && deliverAt !== undefined) {
    throw new ValidationError('give delayMs or deliverAt, not both', { path: 'deliverAt' });
  }
  if (delayMs !== undefined && (!Number.isFinite(delayMs) || delayMs < 0)) {
    throw new ValidationError(`delayMs must be a number of ms >= 0, got ${delayMs}`, {
      path: 'delayMs',
    });
  }
  const at =
    deliverAt === undefined
      ? now + (delayMs ?? 0)
      : deliverAt instanceof Date
        ? deliverAt.getTime()
        : deliverAt;
  if (!Number.isFinite(at)) {
    throw new ValidationError('deliverAt must be a valid time', { path: 'deliverAt' });
  }
  return at;
}

/**
 * Outbox rows of a unit of work: emitted events are validated and
 * serialized when `emit` is called (as on the embedded store), so a bad
 * event fails the handler at once, and inserted in emit order before the
 * transaction commits, with a NOTIFY that wakes the forwarder on commit.
 */
import { sql, type Transaction } from 'kysely';
import type { PublishOptions } from '../../../core/broker.ts';
import { type Envelope, validateEnvelope } from '../../../core/envelope.ts';
import { ValidationError } from '../../../core/errors.ts';
import { deliverAtOf } from '../../../core/publish-options.ts';
import { validateTopicName } from '../../../core/topic.ts';

export interface PendingRow {
  readonly topic: string;
  readonly body: string;
  readonly deliverAt: number | null;
}

export function pendingRowsOf(
  topic: string,
  events: Envelope | readonly Envelope[],
  options: PublishOptions = {},
): PendingRow[] {
  validateTopicName(topic);
  const list = Array.isArray(events) ? (events as readonly Envelope[]) : [events as Envelope];
  for (const event of list) validateEnvelope(event);
  const deliverAt = deliverAtOf(options) ?? null;
  return list.map((event) => ({ topic, body: serialize(event), deliverAt }));
}

/**
 * Inserts rows in order: ids come from the sequence in the order the
 * ordered SELECT hands rows to the INSERT, i.e. emit order.
 */
export async function insertOutboxRows<DB>(
  tx: Transaction<DB>,
  rows: readonly PendingRow[],
  notifyChannel: string | undefined,
): Promise<void> {
  const topics = rows.map((row) => row.topic);
  const bodies = rows.map((row) => row.body);
  const times = rows.map((row) => (row.deliverAt === null ? null : String(row.deliverAt)));
  const insert = sql`INSERT INTO ey_outbox (topic, body, deliver_at)
    SELECT t, b, d FROM unnest(${topics}::text[], ${bodies}::text[], ${times}::bigint[])
      WITH ORDINALITY AS u(t, b, d, n)
    ORDER BY n`;
  if (notifyChannel === undefined) {
    await insert.execute(tx);
    return;
  }
  await sql`WITH inserted AS (${insert}) SELECT pg_notify(${notifyChannel}, '')`.execute(tx);
}

function serialize(event: Envelope): string {
  try {
    return JSON.stringify(event);
  } catch (error) {
    throw new ValidationError(`event ${event.id} cannot be serialized as JSON`, {
      path: 'data',
      cause: error,
    });
  }
}

/**
 * Puts a bucket's notifications into the outbox inside the transaction
 * that records the object change, so an object is visible exactly when its
 * notification is in the log.
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  type BucketEventContext,
  type BucketEventName,
  type NotificationRule,
  notificationEvents,
} from '../../../core/bucket-notification.ts';
import type { Envelope } from '../../../core/envelope.ts';
import { UnsupportedError } from '../../../core/errors.ts';
import type { ObjectInfo } from '../../../core/object-store.ts';
import type { OutboxSink } from '../../db/sqlite/outbox-sink.ts';

export class NotificationOutbox {
  readonly #sink: OutboxSink | undefined;

  constructor(sink: OutboxSink | undefined) {
    this.#sink = sink;
  }

  get enabled(): boolean {
    return this.#sink !== undefined;
  }

  /** Inside the open write transaction on `db`: appends one event per matching rule. */
  appendWithin(
    db: BetterSqlite3.Database,
    rules: readonly NotificationRule[],
    event: BucketEventName,
    info: ObjectInfo,
    context: BucketEventContext | undefined,
  ): void {
    const batches = notificationEvents(rules, event, info, context);
    if (batches.length === 0) return;
    const sink = this.#sink;
    if (!sink) {
      throw new UnsupportedError(
        `bucket ${info.bucket} has notification rules, but this object store has no outbox to send them to`,
        { bucket: info.bucket },
      );
    }
    const byTopic = new Map<string, Envelope[]>();
    for (const { topic, event: envelope } of batches) {
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), envelope]);
    }
    for (const [topic, events] of byTopic) sink.appendWithin(db, topic, events);
  }
}

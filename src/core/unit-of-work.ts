/**
 * Effectively-once processing: a handler's state changes, the events it
 * emits and the record that it handled its event commit in one transaction
 * (outbox + inbox). A redelivered event finds its inbox record and has no
 * second effect. On the embedded engine the outbox is the log itself (same
 * SQLite database); on other stores a forwarder publishes committed rows.
 */
import type { PublishOptions } from './broker.ts';
import type { Envelope } from './envelope.ts';

export interface UnitOfWork<Tx> {
  /** The store's transactional handle (on SQL stores, a Kysely transaction). */
  readonly tx: Tx;
  /** Events published if, and only if, the transaction commits. Validated at once. */
  emit(topic: string, events: Envelope | readonly Envelope[], options?: PublishOptions): void;
}

export interface InboxEntry {
  readonly group: string;
  readonly eventId: string;
}

export type TransactionResult<R> =
  | { readonly duplicate: false; readonly value: R }
  | { readonly duplicate: true };

export interface TransactionalStore<Tx> {
  /**
   * Runs `work` in one transaction. With `inbox`, records that the group
   * handled the event in the same transaction; when it already had, `work`
   * does not run and the result says `duplicate`. A throw rolls everything
   * back, emitted events included.
   */
  transaction<R>(
    work: (uow: UnitOfWork<Tx>) => Promise<R> | R,
    options?: { readonly inbox?: InboxEntry },
  ): Promise<TransactionResult<R>>;
}

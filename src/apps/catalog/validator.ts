/**
 * The validator of seed 001: takes the seed's command messages from
 * `commands`, checks them against the schemas again (a command may come
 * from any producer, not only the API) and against the business rules on
 * the current snapshots (domain/decide.ts). A rejection is the command's
 * outcome; an accepted command goes on to the persister with the events it
 * causes and the version they were decided at. Each command is decided once:
 * the outcome or the decision commits with the inbox record. A message that
 * is no command at all is rejected on its row when the API wrote one, and
 * dead-lettered when it came from elsewhere.
 */
import { causedBy } from '../../core/envelope.ts';
import { PermanentError } from '../../core/errors.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import { decide, kindOf, parseCommand, type RejectionCode, streamIdOf } from './domain/index.ts';
import { COMMANDS, DECISIONS } from './names.ts';
import { contextOf, pendingRow, recordOutcome } from './outcomes.ts';
import { snapshotOf } from './projection.ts';
import type { CatalogDb } from './schema.ts';

/** Rejections that depend on the stream alone, which the persister knows exactly. */
const STREAM_RULES = new Set<RejectionCode>(['id_taken', 'not_found', 'deleted']);

export const validator: ServiceDefinition<CatalogDb> = {
  name: 'validator',
  subscriptions: () => [
    {
      topic: COMMANDS,
      policy: { concurrency: 8 },
      handler: async (event, { transaction }) => {
        const parsed = parseCommand(event.data);
        const now = new Date().toISOString();
        if (!parsed.ok) {
          const { reason } = parsed;
          const marked = await transaction(async ({ tx }) => {
            const updated = await tx
              .updateTable('catalog_commands')
              .set({
                status: 'rejected',
                reason_code: reason.code,
                reason_message: reason.message,
                reason_field: reason.field,
                decided_at: now,
              })
              .where('id', '=', event.id)
              .where('status', '=', 'pending')
              .executeTakeFirst();
            return Number(updated.numUpdatedRows) > 0;
          });
          // A message from another producer has no row to answer on: it goes to the dead letters.
          if (!marked.duplicate && !marked.value) {
            throw new PermanentError(`not a catalog command: ${reason.message}`, {
              path: reason.field,
            });
          }
          return;
        }
        const { command } = parsed;
        const kind = kindOf(command);
        const streamId = streamIdOf(kind, command.params.id);
        await transaction(async ({ tx, emit }) => {
          const state = await snapshotOf(tx, kind, streamId);
          const decision = decide(command, state, await contextOf(tx, command, 'snapshots'));
          // The snapshot can lag commands of the stream still on their way to
          // the event store (a create published right before this update): a
          // rejection by the stream's own rules is confirmed by the persister
          // at the stream's real version, behind those commands.
          const recheck = !decision.ok && STREAM_RULES.has(decision.reason.code);
          if (!decision.ok && !recheck) {
            await recordOutcome(
              tx,
              pendingRow(event.id, command, now),
              { status: 'rejected', reason: decision.reason },
              now,
            );
            return;
          }
          emit(
            DECISIONS,
            causedBy(event, {
              type: 'catalog.command.decided',
              source: 'catalog/validator',
              subject: streamId,
              key: streamId,
              data: {
                commandId: event.id,
                command,
                expectedVersion: state.version,
                events: decision.ok ? decision.events : [],
                recheck,
              },
            }),
          );
        });
      },
    },
  ],
};

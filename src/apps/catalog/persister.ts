/**
 * The persister of seed 001: appends a decided command's events to the
 * event store, at the version they were decided at. If the stream has moved
 * on since (another command of the entity got there first), or the validator
 * rejected it on a snapshot that may lag, the command is decided again on
 * the stream's real state: appended at the new version, or
 * rejected; never lost, never applied twice. The append, the command's
 * outcome and the events for the materializer (`catalog-events`) commit in
 * one unit of work with the inbox record.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { causedBy } from '../../core/envelope.ts';
import { PermanentError } from '../../core/errors.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import {
  type CatalogEvent,
  catalogEventSchema,
  commandSchema,
  decide,
  kindOf,
  streamIdOf,
} from './domain/index.ts';
import { append, streamState, streamVersion } from './event-store.ts';
import { CATALOG_EVENTS, DECISIONS } from './names.ts';
import { contextOf, pendingRow, recordOutcome } from './outcomes.ts';
import type { CatalogDb } from './schema.ts';

const decisionSchema = z.object({
  commandId: z.string().min(1).max(256),
  command: commandSchema,
  expectedVersion: z.number().int().min(0),
  events: z.array(catalogEventSchema).max(10),
  /** The validator rejected it on a snapshot: decide again at the stream's real version. */
  recheck: z.boolean().optional(),
});

export const persister: ServiceDefinition<CatalogDb> = {
  name: 'persister',
  subscriptions: () => [
    {
      topic: DECISIONS,
      policy: { concurrency: 8 },
      handler: async (event, { transaction }) => {
        const parsed = decisionSchema.safeParse(event.data);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new PermanentError(`decision refused: ${issue.message}`, {
            path: `data.${issue.path.join('.')}`,
          });
        }
        const { commandId, command, expectedVersion } = parsed.data;
        const kind = kindOf(command);
        const streamId = streamIdOf(kind, command.params.id);
        await transaction(async ({ tx, emit }) => {
          const now = new Date().toISOString();
          const row = pendingRow(commandId, command, now);
          const version = await streamVersion(tx, streamId);
          let events: readonly CatalogEvent[] = parsed.data.events;
          if (version !== expectedVersion || parsed.data.recheck) {
            const state = await streamState(tx, kind, streamId);
            const decision = decide(command, state, await contextOf(tx, command, 'event-store'));
            if (!decision.ok) {
              await recordOutcome(tx, row, { status: 'rejected', reason: decision.reason }, now);
              return;
            }
            events = decision.events;
          }
          const ids = events.map(() => randomUUID());
          await append(tx, events, commandId, now, ids);
          await recordOutcome(
            tx,
            row,
            { status: 'accepted', version: version + events.length },
            now,
          );
          for (const [i, stored] of events.entries()) {
            emit(
              CATALOG_EVENTS,
              causedBy(event, {
                id: ids[i],
                type: `catalog.${stored.type}`,
                source: 'catalog/persister',
                subject: streamId,
                key: streamId,
                data: { event: stored, recordedAt: now },
              }),
            );
          }
        });
      },
    },
  ],
};

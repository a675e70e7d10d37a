/**
 * The materializer of seed 001: on each event the persister stored, brings
 * the event's stream up to date in the read models (projection.ts): the
 * snapshots the validator reads and the entries and assets the query API
 * serves. It reads the stream from the event store rather than trusting the
 * message, so a lost, late or repeated notification changes nothing.
 */
import { z } from 'zod';
import { PermanentError } from '../../core/errors.ts';
import type { ServiceDefinition } from '../../runtime/service.ts';
import { CATALOG_EVENTS } from './names.ts';
import { catchUp } from './projection.ts';
import type { CatalogDb } from './schema.ts';

const storedSchema = z.object({
  event: z.object({ streamId: z.string().regex(/^(entry|asset)-[0-9a-f-]{36}$/) }),
});

export const materializer: ServiceDefinition<CatalogDb> = {
  name: 'materializer',
  subscriptions: ({ store }) => [
    {
      topic: CATALOG_EVENTS,
      policy: { concurrency: 8 },
      handler: async (event) => {
        const parsed = storedSchema.safeParse(event.data);
        if (!parsed.success)
          throw new PermanentError('not a stored catalog event', { path: 'data.event.streamId' });
        // No inbox record: catching a stream up twice applies nothing the second time.
        await store.transaction(({ tx }) => catchUp(tx, parsed.data.event.streamId));
      },
    },
  ],
};

/**
 * `eventyard catalog rebuild`: drops the catalog's read models (entries,
 * assets, the validator's snapshots) and builds them again from the event
 * store, with progress on stderr. Readers keep the old models until the new
 * ones are complete (one transaction).
 */
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { CatalogDb } from '../../apps/catalog/schema.ts';
import { withEngines } from '../engine-session.ts';
import { examples } from '../help-text.ts';

export function catalogCommand(program: Command): void {
  const catalog = program
    .command('catalog')
    .summary('the catalog app: rebuild its read models')
    .description('Maintenance of the catalog app (seed 001).');
  catalog
    .command('rebuild')
    .summary('drop the read models and rebuild them from the event store')
    .description(
      'Drop the read models (entries, assets, snapshots) and rebuild them from the event store, stream by stream, showing progress. On PostgreSQL, stop the materializer while it runs.',
    )
    .addHelpText('after', examples('eventyard catalog rebuild'))
    .action(async () => {
      const { catalogMigrations } = await import('../../apps/catalog/schema.ts');
      const { rebuildReadModels } = await import('../../apps/catalog/rebuild.ts');
      const started = performance.now();
      const done = await withEngines(async ({ store }) => {
        await store.migrate('catalog', catalogMigrations);
        return rebuildReadModels(store.db as Kysely<CatalogDb>, (p) => {
          const share = p.totalStreams === 0 ? 100 : Math.floor((100 * p.streams) / p.totalStreams);
          process.stderr.write(
            `rebuilding: ${p.streams}/${p.totalStreams} streams (${share}%), ${p.events} events\n`,
          );
        });
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stdout.write(
        `${JSON.stringify({ rebuilt: true, streams: done.streams, events: done.events, seconds: Number(seconds) })}\n`,
      );
    });
}

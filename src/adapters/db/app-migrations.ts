/**
 * An app's migrations on any SQL store: Kysely's migrator, with the history
 * and lock tables named per app (`ey_migrations_<app>`), so apps migrate
 * independently and several processes starting together apply each once.
 */
import { type Kysely, type Migration, Migrator } from 'kysely';

export async function migrateApp(
  db: Kysely<unknown>,
  app: string,
  migrations: Record<string, Migration>,
  /** Where the history tables live; Kysely otherwise finds them in any schema. */
  schema?: string,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `ey_migrations_${app}`,
    migrationLockTableName: `ey_migrations_${app}_lock`,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

import { type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { FeatureStorage } from '../feature-storage';
import type { SqlDatabase } from './sql-database';

/** Every feature's migrations in one list; a name used twice is a programming error, found at start. */
export function collectMigrations(database: SqlDatabase, features: readonly FeatureStorage[]): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  const owner: Record<string, string> = {};
  for (const { feature, sqlMigrations } of features) {
    for (const [name, migration] of Object.entries(sqlMigrations?.(database.engine) ?? {})) {
      if (owner[name]) throw new Error(`SQL migration ${name} is registered by both ${owner[name]} and ${feature}`);
      owner[name] = feature;
      all[name] = migration;
    }
  }
  return all;
}

/**
 * Brings the schema up to date with every feature's migrations, in name order; safe to run from several
 * instances at once (Kysely takes a lock). A feature added later may bring migrations named before ones
 * already run (teams work in parallel): they run too, since each touches only its own tables.
 */
export async function migrateToLatest(database: SqlDatabase, features: readonly FeatureStorage[]): Promise<void> {
  const migrations = collectMigrations(database, features);
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({ db: database.db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

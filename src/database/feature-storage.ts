import type { ModelDefinition } from '@nestjs/mongoose';
import type { Migration } from 'kysely';
import type { SqlEngine } from './sql/sql-database';

/**
 * What a feature keeps in the data backend, registered with `DatabaseModule.forRoot(config, features)`
 * (app.module.ts). The database module runs every feature's SQL migrations at start, registers every
 * feature's mongoose models and builds their indexes before the app serves; a feature never opens a
 * connection of its own.
 */
export interface FeatureStorage {
  /** Names the feature in logs and errors. */
  feature: string;
  /**
   * SQL migrations by name. Names start with a date and a sequence (`2026-12-02-004-rate-limits`), are
   * unique across features, and are run in name order; a migration touches only its feature's tables.
   * `engine` picks the column types that differ (see `sqlTypes`).
   */
  sqlMigrations?: (engine: SqlEngine) => Record<string, Migration>;
  /** mongoose models; a thunk, so that mongoose is loaded only when MongoDB is the backend. */
  mongoModels?: () => ModelDefinition[];
  /** Datastore kinds the feature stores; their composite indexes belong in index.yaml. */
  datastoreKinds?: string[];
}

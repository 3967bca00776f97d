import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { DatabaseHealth } from '../database-health';
import type { FeatureStorage } from '../feature-storage';
import { SqlDatabase } from './sql-database';
import { migrateToLatest } from './sql-migrator';

const MIGRATION_TIMEOUT_MS = 10 * 60 * 1000;

/** SQLite, PostgreSQL or MySQL (by `SQL_URL`), with every feature's migrations run at start. */
@Module({})
export class SqlDatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(SqlDatabase) private readonly database: SqlDatabase) {}

  static forRoot(features: readonly FeatureStorage[]): DynamicModule {
    return {
      module: SqlDatabaseModule,
      providers: [
        {
          provide: SqlDatabase,
          inject: [AppConfig],
          useFactory: async (config: AppConfig) => {
            const database = new SqlDatabase(config.sqlUrl);
            if (database.engine === 'sqlite') {
              // No query timeout to outlast, and a `:memory:` database exists once per connection.
              await migrateToLatest(database, features);
              return database;
            }
            // On connections of their own: a migration may rightly run longer than a page's query timeout
            // (an index on a big table), and must not keep every instance from starting.
            const migrations = new SqlDatabase(config.sqlUrl, { queryMs: MIGRATION_TIMEOUT_MS });
            try {
              await migrateToLatest(migrations, features);
            } finally {
              await migrations.close();
            }
            return database;
          },
        },
        {
          provide: DatabaseHealth,
          inject: [SqlDatabase],
          useFactory: (database: SqlDatabase): DatabaseHealth => ({ check: () => database.ping() }),
        },
      ],
      exports: [SqlDatabase, DatabaseHealth],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

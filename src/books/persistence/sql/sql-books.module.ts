import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { DatabaseHealth } from '../../../common/database-health';
import { BooksRepository } from '../../books.repository';
import { SqlBooksRepository } from './sql-books.repository';
import { SqlDatabase } from './sql-database';
import { migrateToLatest } from './sql-migrations';

const MIGRATION_TIMEOUT_MS = 10 * 60 * 1000;

/** Books in SQLite, PostgreSQL or MySQL (by `SQL_URL`), with migrations run at start. */
@Module({
  providers: [
    {
      provide: SqlDatabase,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const database = new SqlDatabase(config.sqlUrl);
        if (database.engine === 'sqlite') {
          // No query timeout to outlast, and a `:memory:` database exists once per connection.
          await migrateToLatest(database);
          return database;
        }
        // On connections of their own: a migration may rightly run longer than a page's query timeout
        // (an index on a big table), and must not keep every instance from starting.
        const migrations = new SqlDatabase(config.sqlUrl, { queryMs: MIGRATION_TIMEOUT_MS });
        try {
          await migrateToLatest(migrations);
        } finally {
          await migrations.close();
        }
        return database;
      },
    },
    { provide: BooksRepository, useClass: SqlBooksRepository },
    {
      provide: DatabaseHealth,
      inject: [SqlDatabase],
      useFactory: (database: SqlDatabase): DatabaseHealth => ({ check: () => database.ping() }),
    },
  ],
  exports: [SqlDatabase, BooksRepository, DatabaseHealth],
})
export class SqlBooksModule implements OnApplicationShutdown {
  constructor(@Inject(SqlDatabase) private readonly database: SqlDatabase) {}

  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { DatabaseHealth } from '../../../common/database-health';
import { BooksRepository } from '../../books.repository';
import { SqlBooksRepository } from './sql-books.repository';
import { SqlDatabase } from './sql-database';
import { migrateToLatest } from './sql-migrations';

/** Books in SQLite, PostgreSQL or MySQL (by `SQL_URL`), with migrations run at start. */
@Module({
  providers: [
    {
      provide: SqlDatabase,
      inject: [AppConfig],
      useFactory: async (config: AppConfig) => {
        const database = new SqlDatabase(config.sqlUrl);
        await migrateToLatest(database);
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

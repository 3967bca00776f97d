import type { BooksTables } from '../../src/books/persistence/sql/sql-books.tables';
import { SqlBooksRepository } from '../../src/books/persistence/sql/sql-books.repository';
import { SqlDatabase } from '../../src/database/sql/sql-database';
import { FEATURE_STORAGE } from '../../src/app.module';
import { migrateToLatest } from '../../src/database/sql/sql-migrator';
import { describeEverySqlEngine } from '../helpers/backends';
import type { TestDatabase } from '../helpers/sql-servers';
import { type BooksRepositoryHarness, describeBooksRepositoryContract } from './books-repository.contract';

/** The SQL adapter on one database: migrated like the app does it, emptied before each test. */
async function sqlHarness(database: TestDatabase): Promise<BooksRepositoryHarness> {
  const sql = new SqlDatabase(database.url);
  await migrateToLatest(sql, FEATURE_STORAGE);
  // A second run finds nothing to do (several instances start at once in production).
  await migrateToLatest(sql, FEATURE_STORAGE);
  return {
    repository: new SqlBooksRepository(sql),
    changeStamps: true,
    compareIds: (a, b) => Number(a) - Number(b),
    reset: async () => {
      await sql.tables<BooksTables>().deleteFrom('book_words').execute();
      await sql.tables<BooksTables>().deleteFrom('books').execute();
    },
    close: async () => {
      await sql.close();
      await database.drop();
    },
  };
}

describeEverySqlEngine((engine, createDatabase) =>
  describeBooksRepositoryContract(`${SqlBooksRepository.name} on ${engine}`, async () => sqlHarness(await createDatabase())),
);

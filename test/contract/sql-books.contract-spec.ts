import { SqlBooksRepository } from '../../src/books/persistence/sql/sql-books.repository';
import { SqlDatabase } from '../../src/books/persistence/sql/sql-database';
import { migrateToLatest } from '../../src/books/persistence/sql/sql-migrations';
import { describeEverySqlEngine } from '../helpers/backends';
import type { TestDatabase } from '../helpers/sql-servers';
import { type BooksRepositoryHarness, describeBooksRepositoryContract } from './books-repository.contract';

/** The SQL adapter on one database: migrated like the app does it, emptied before each test. */
async function sqlHarness(database: TestDatabase): Promise<BooksRepositoryHarness> {
  const sql = new SqlDatabase(database.url);
  await migrateToLatest(sql);
  // A second run finds nothing to do (several instances start at once in production).
  await migrateToLatest(sql);
  return {
    repository: new SqlBooksRepository(sql),
    changeStamps: true,
    compareIds: (a, b) => Number(a) - Number(b),
    reset: async () => void (await sql.db.deleteFrom('books').execute()),
    close: async () => {
      await sql.close();
      await database.drop();
    },
  };
}

describeEverySqlEngine((engine, createDatabase) =>
  describeBooksRepositoryContract(`${SqlBooksRepository.name} on ${engine}`, async () => sqlHarness(await createDatabase())),
);

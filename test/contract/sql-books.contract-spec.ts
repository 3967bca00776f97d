import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlBooksRepository } from '../../src/books/persistence/sql/sql-books.repository';
import { SqlDatabase } from '../../src/books/persistence/sql/sql-database';
import { migrateToLatest } from '../../src/books/persistence/sql/sql-migrations';
import { describeWhen } from '../helpers/backends';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type TestDatabase,
} from '../helpers/sql-servers';
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

describeBooksRepositoryContract(`${SqlBooksRepository.name} on SQLite`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-sqlite-'));
  return sqlHarness({ url: `sqlite:${join(dir, 'books.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) });
});

describeWhen(postgresUnavailable())('PostgreSQL', () => {
  describeBooksRepositoryContract(`${SqlBooksRepository.name} on PostgreSQL`, async () => sqlHarness(await createPostgresDatabase()));
});

describeWhen(mysqlUnavailable())('MariaDB', () => {
  describeBooksRepositoryContract(`${SqlBooksRepository.name} on MariaDB`, async () => sqlHarness(await createMysqlDatabase()));
});

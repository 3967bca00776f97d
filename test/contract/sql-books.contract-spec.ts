import type { BooksTables } from '../../src/books/persistence/sql/sql-books.tables';
import { SEEKS_PER_QUERY, SqlBooksRepository } from '../../src/books/persistence/sql/sql-books.repository';
import { SqlDatabase } from '../../src/database/sql/sql-database';
import { FEATURE_STORAGE } from '../../src/app.module';
import { migrateToLatest } from '../../src/database/sql/sql-migrator';
import { describeEverySqlEngine } from '../helpers/backends';
import type { TestDatabase } from '../helpers/sql-servers';
import { queryWords } from '../../src/books/search-words';
import { type BooksRepositoryHarness, describeBooksRepositoryContract, newBook } from './books-repository.contract';

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

describeEverySqlEngine((engine, createDatabase) =>
  describe(`SqlBooksRepository search on ${engine}`, () => {
    let harness: BooksRepositoryHarness;
    beforeAll(async () => {
      harness = await sqlHarness(await createDatabase());
    });
    afterAll(() => harness?.close());

    it('goes on past SEEKS_PER_QUERY seeks of one query when two words alternate book by book and never meet', async () => {
      const books = harness.repository;
      const titles = [
        'Pair 0000 north south',
        ...Array.from({ length: SEEKS_PER_QUERY / 2 + 50 }, (_, i) => String(i + 1).padStart(4, '0')).flatMap((n) => [
          `Pair ${n} north`,
          `Pair ${n} south`,
        ]),
        'Pair 9999 south north',
      ];
      for (const title of titles) await books.create(newBook({ title }));

      for (const limit of [1, 2, 10]) {
        const first = await books.list({ limit, words: queryWords('south north') });
        const rest = first.next === null ? null : await books.list({ limit, words: queryWords('south north'), after: first.next });
        const found = [...first.books, ...(rest?.books ?? [])].map((b) => b.title);
        expect([limit, found]).toEqual([limit, ['Pair 0000 north south', 'Pair 9999 south north']]);
        expect((rest ?? first).next).toBeNull();
      }
    });
  }),
);

import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlEngine } from '../../../database/sql/sql-database';
import { sqlTypes } from '../../../database/sql/sql-types';
import { searchPrefixes } from '../../search-words';

/** Books read at a time by the search backfill, and word rows written per statement. */
const BACKFILL_BOOKS = 1000;
const BACKFILL_ROWS = 1000;

interface BackfillBook {
  id: number;
  title: string;
  author: string;
  created_by_id: string;
  sort_key: string;
}

/**
 * Fills `book_words` for the books written before search existed, BACKFILL_BOOKS at a time in id order.
 * Resumable: PostgreSQL and SQLite run the migration in one transaction (all or nothing); on MySQL, whose
 * DDL is not transactional, each statement commits, so a run that stopped part-way starts again at the
 * highest book id it reached (that book's rows are written again) instead of at the start.
 */
export async function backfillBookWords(db: Kysely<unknown>): Promise<number> {
  const reached = await sql<{ n: number | string | null }>`select max(book_id) as n from book_words`.execute(db);
  let after = Number(reached.rows[0]?.n ?? 0) - 1;
  if (after >= 0) await sql`delete from book_words where book_id > ${after}`.execute(db);
  let books = 0;
  for (;;) {
    const { rows } = await sql<BackfillBook>`
      select id, title, author, created_by_id, sort_key from books where id > ${after} order by id limit ${BACKFILL_BOOKS}`.execute(db);
    if (rows.length === 0) return books;
    const words = rows.flatMap((book) =>
      searchPrefixes(book.title, book.author).map((prefix) => ({
        book_id: Number(book.id),
        prefix,
        created_by_id: book.created_by_id,
        sort_key: book.sort_key,
      })),
    );
    for (let i = 0; i < words.length; i += BACKFILL_ROWS) {
      await (db as Kysely<{ book_words: BackfillWord }>)
        .insertInto('book_words')
        .values(words.slice(i, i + BACKFILL_ROWS))
        .execute();
    }
    books += rows.length;
    after = Number(rows[rows.length - 1].id);
  }
}

interface BackfillWord {
  book_id: number;
  prefix: string;
  created_by_id: string;
  sort_key: string;
}

/** The books feature's tables, by migration name (registered in books-storage.ts). */
export function booksMigrations(engine: SqlEngine): Record<string, Migration> {
  const t = sqlTypes(engine);
  return {
    '2026-11-25-001-books': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('books')
          .addColumn('id', t.id, (c) => {
            const key = c.primaryKey();
            return engine === 'postgres' ? key : key.autoIncrement();
          })
          .addColumn('title', 'varchar(200)', (c) => c.notNull())
          .addColumn('author', 'varchar(200)', (c) => c.notNull())
          .addColumn('published_date', 'varchar(50)', (c) => c.notNull())
          .addColumn('description', t.text, (c) => c.notNull())
          .addColumn('image_key', 'varchar(100)')
          .addColumn('thumbnail_key', 'varchar(100)')
          .addColumn('created_by_id', 'varchar(255)', (c) => c.notNull())
          // The provider's display name had no length limit of ours when this table was made.
          .addColumn('created_by', t.text, (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('sort_key', 'varchar(300)', (c) => c.notNull().modifyFront(t.bytewise))
          .modifyEnd(t.utf8mb4)
          .execute();
        // The two list orders, so that page 10,000 costs what page 1 does (keyset paging).
        await db.schema.createIndex('books_sort_key_id').on('books').columns(['sort_key', 'id']).execute();
        await db.schema.createIndex('books_created_by_id_sort_key_id').on('books').columns(['created_by_id', 'sort_key', 'id']).execute();
      },
    },
    // The change counter behind `BooksRepository.changeStamp` (a list page is reused while it stands still).
    '2026-11-26-003-book-changes': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('book_changes')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('n', 'bigint', (c) => c.notNull())
          .execute();
        await sql`insert into book_changes (id, n) values (1, 0)`.execute(db);
      },
    },
    // Search (docs/architecture.md section 3): every prefix of every word of a book's title and author.
    '2026-12-10-001-book-words': {
      async up(db: Kysely<unknown>) {
        // Every step may be repeated: on MySQL (no transactional DDL) a run that stopped part-way runs again.
        await db.schema
          .createTable('book_words')
          .ifNotExists()
          .addColumn('book_id', 'bigint', (c) => c.notNull())
          .addColumn('prefix', 'varchar(40)', (c) => c.notNull().modifyFront(t.bytewise))
          .addColumn('created_by_id', 'varchar(255)', (c) => c.notNull())
          .addColumn('sort_key', 'varchar(300)', (c) => c.notNull().modifyFront(t.bytewise))
          .addPrimaryKeyConstraint('book_words_pkey', ['book_id', 'prefix'])
          .modifyEnd(t.utf8mb4)
          .execute();
        await backfillBookWords(db);
        // Built after the backfill: one sort per index instead of millions of insertions into it.
        // All books' search and My Books' search, each walked in list order from the keyset position.
        const indexes: [string, string[]][] = [
          ['book_words_prefix_sort_key', ['prefix', 'sort_key', 'book_id']],
          ['book_words_owner_prefix_sort_key', ['created_by_id', 'prefix', 'sort_key', 'book_id']],
        ];
        for (const [name, columns] of indexes) {
          if (engine === 'mysql') {
            // MySQL has no `create index if not exists`.
            const found = await sql`select 1 from information_schema.statistics
              where table_schema = database() and table_name = 'book_words' and index_name = ${name} limit 1`.execute(db);
            if (found.rows.length === 0) await db.schema.createIndex(name).on('book_words').columns(columns).execute();
          } else {
            await db.schema.createIndex(name).ifNotExists().on('book_words').columns(columns).execute();
          }
        }
      },
    },
  };
}

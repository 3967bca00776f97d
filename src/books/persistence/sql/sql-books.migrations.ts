import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlEngine } from '../../../database/sql/sql-database';
import { sqlTypes } from '../../../database/sql/sql-types';

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
  };
}

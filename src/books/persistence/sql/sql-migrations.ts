import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { SqlDatabase, SqlEngine } from './sql-database';

/** Column types that differ between engines; everything else is the same DDL everywhere. */
const types: Record<SqlEngine, { id: 'integer' | 'bigserial' | 'bigint'; text: 'text'; sortKey: ReturnType<typeof sql> }> = {
  // 64-bit ids everywhere, so that any id the repository accepts (up to 15 digits) is a valid key.
  sqlite: { id: 'integer', text: 'text', sortKey: sql`` },
  // Bytewise order on every engine: "C" in PostgreSQL, utf8mb4_bin in MySQL, BINARY (the default) in SQLite.
  postgres: { id: 'bigserial', text: 'text', sortKey: sql`collate "C"` },
  mysql: { id: 'bigint', text: 'text', sortKey: sql`character set utf8mb4 collate utf8mb4_bin` },
};

function migrations(engine: SqlEngine): Record<string, Migration> {
  const t = types[engine];
  const utf8mb4 = engine === 'mysql' ? sql`default character set utf8mb4 collate utf8mb4_bin` : sql``;
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
          // The provider's display name has no length limit of ours.
          .addColumn('created_by', t.text, (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .addColumn('sort_key', 'varchar(300)', (c) => c.notNull().modifyFront(t.sortKey))
          .modifyEnd(utf8mb4)
          .execute();
        // The two list orders, so that page 10,000 costs what page 1 does (keyset paging).
        await db.schema.createIndex('books_sort_key_id').on('books').columns(['sort_key', 'id']).execute();
        await db.schema
          .createIndex('books_created_by_id_sort_key_id')
          .on('books')
          .columns(['created_by_id', 'sort_key', 'id'])
          .execute();
      },
    },
    '2026-11-25-002-sessions': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('sessions')
          .addColumn('sid', 'varchar(255)', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('data', t.text, (c) => c.notNull())
          .modifyEnd(utf8mb4)
          .execute();
        await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
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
    // rate-limiter-flexible's counters (the rate limits module), in its own columns: one row per action and key.
    '2026-12-02-004-rate-limits': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('rate_limits')
          .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
          .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expire', 'bigint')
          .modifyEnd(utf8mb4)
          .execute();
      },
    },
  };
}

/** Brings the schema up to date; safe to run from several instances at once (Kysely takes a lock). */
export async function migrateToLatest(database: SqlDatabase): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(database.engine) };
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

import type { Generated } from 'kysely';

export interface BooksTable {
  id: Generated<number>;
  title: string;
  author: string;
  published_date: string;
  description: string;
  image_key: string | null;
  thumbnail_key: string | null;
  created_by_id: string;
  created_by: string;
  /** Milliseconds since the epoch: one portable type on every engine. */
  created_at: number;
  updated_at: number;
  sort_key: string;
}

/** One row (id 1) whose counter every book write raises in the same transaction. */
export interface BookChangesTable {
  id: number;
  n: number;
}

/** The SQL tables the books feature owns (its migrations: sql-books.migrations.ts). */
export interface BooksTables {
  books: BooksTable;
  book_changes: BookChangesTable;
}

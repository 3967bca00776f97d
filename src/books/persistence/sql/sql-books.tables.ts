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

/**
 * Search: one row per book and prefix (`searchPrefixes(title, author)`), with the book's owner and sort
 * key copied, so that a search walks the index (prefix, sort_key, book_id), or (created_by_id, prefix,
 * sort_key, book_id) for My Books, in list order. Written in the same transaction as the book.
 */
export interface BookWordsTable {
  book_id: number;
  prefix: string;
  created_by_id: string;
  sort_key: string;
}

/** The SQL tables the books feature owns (its migrations: sql-books.migrations.ts). */
export interface BooksTables {
  books: BooksTable;
  book_changes: BookChangesTable;
  book_words: BookWordsTable;
}

import type { Book, BookChanges, BookSummary, NewBook } from './book';

export interface ListQuery {
  /** Only this owner's books (My Books); all books when absent. */
  createdById?: string;
  /** The adapter's own cursor from a previous page's `next`; the first page when absent. */
  after?: string;
  limit: number;
  /** Whole books (descriptions included) instead of list summaries: for exports, never for list pages. */
  whole?: boolean;
  /**
   * Only books found by every one of these words (`queryWords(q)` of search-words.ts: normalised, at most
   * 8, no repeats): each must be a prefix of a word of the title or the author (`searchPrefixes`). Empty
   * or absent: the plain list. Same order and paging; a cursor is valid only for the words it came with.
   */
  words?: readonly string[];
}

export interface BookPage<B extends BookSummary = BookSummary> {
  /** At least the summary fields, or whole books when asked; an adapter may return whole books when that costs nothing more. */
  books: B[];
  /** An adapter-defined cursor for the next page, or null when this is the last page (decided exactly). */
  next: string | null;
}

/**
 * The books port, and the DI token its adapters are provided under.
 *
 * Invariants every adapter keeps (the contract suite in test/contract checks them):
 * - ids are strings; an unknown or malformed id reads as null, never an error;
 * - lists are ordered by `sortKey` compared bytewise (UTF-8), then by id, with keyset paging,
 *   so every book of a stable list is visited exactly once;
 * - `next` is null exactly when no further book exists;
 * - a search (`words`) answers from an index, never by reading every book, in the same list order, and
 *   sees every create, update and delete as soon as it returns;
 * - `update` replaces the given fields and never changes the owner; it returns null for an unknown id;
 * - `delete` is idempotent;
 * - a cursor the adapter did not issue throws `InvalidPageToken`;
 * - a failure to reach the database throws `BackendUnavailable`.
 */
export abstract class BooksRepository {
  abstract create(book: NewBook): Promise<Book>;
  abstract findById(id: string): Promise<Book | null>;
  abstract update(id: string, changes: BookChanges): Promise<Book | null>;
  abstract delete(id: string): Promise<void>;
  abstract list(query: ListQuery & { whole?: false }): Promise<BookPage>;
  abstract list(query: ListQuery & { whole: true }): Promise<BookPage<Book>>;
  abstract list(query: ListQuery): Promise<BookPage>;
  /**
   * A value that changes with every create, update and delete, made by any instance, and only then;
   * null when the adapter cannot tell cheaply. A rendered list page stays current while it stands still.
   */
  abstract changeStamp(): Promise<string | null>;
}

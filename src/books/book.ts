/** A book as the application sees it, whatever the backend. Ids are strings on every backend. */
export interface Book {
  id: string;
  title: string;
  author: string;
  publishedDate: string;
  description: string;
  /** Storage keys of the re-encoded cover and its thumbnail; null when the book has no cover. */
  imageKey: string | null;
  thumbnailKey: string | null;
  /** The owner's `sub` claim. */
  createdById: string;
  /** The owner's display name when the book was created ("Added by"). */
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** `sortKeyFor(title)`: the list order, compared bytewise, then `id`. */
  sortKey: string;
}

/** What a list shows of a book (title, author, cover), and what its owner filter and paging need. */
export type BookSummary = Pick<Book, 'id' | 'title' | 'author' | 'imageKey' | 'thumbnailKey' | 'createdById' | 'sortKey'>;

/** The fields a form edits. */
export interface BookFields {
  title: string;
  author: string;
  publishedDate: string;
  description: string;
}

import type { CoverKeys } from '../storage/cover-key';
export type { CoverKeys };

export type NewBook = BookFields & CoverKeys & { createdById: string; createdBy: string; sortKey: string };
export type BookChanges = BookFields & CoverKeys & { sortKey: string };

/** Long enough to order any real title; bounded so that every database can index it (NFKC can expand 18-fold). */
export const SORT_KEY_LENGTH = 300;

/**
 * The list order's key: Unicode NFKC, lower-cased, tabs and line breaks as spaces, at most SORT_KEY_LENGTH
 * code points, no trailing spaces; compared bytewise (UTF-8) on every backend.
 */
export function sortKeyFor(title: string): string {
  const key = [
    ...title
      .normalize('NFKC')
      .toLowerCase()
      .replace(/[\t\n\r]/g, ' '),
  ]
    .slice(0, SORT_KEY_LENGTH)
    .join('');
  // MySQL's utf8mb4_bin is PAD SPACE: it ignores trailing spaces and sorts a character below the space (tab,
  // newline) before the end of a string. Keys with neither compare bytewise there too.
  return key.trimEnd();
}

/** Compares like the databases do: by UTF-8 bytes (code points), not by JavaScript's UTF-16 units. */
export function compareSortKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

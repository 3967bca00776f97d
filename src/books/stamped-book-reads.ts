import { Injectable } from '@nestjs/common';
import { BoundedMap } from '../common/bounded-map';
import type { Book } from './book';
import { BookChangeStamp } from './book-change-stamp';
import { type BookPage, BooksRepository, type ListQuery } from './books.repository';

/** Pages and books kept; a page of summaries is a few KB, a whole book at most about 6 KB. */
export const MAX_READS = 512;
/** The longest page of summaries kept: the web pages' and the API's pages, never an export's. */
export const MAX_KEPT_PAGE = 50;

interface Kept {
  stamp: string;
  value: Readonly<BookPage> | Readonly<Book> | null;
}

/**
 * The repository's list pages of summaries and single books, read again only when the change stamp has
 * moved: what signed-in pages read (the list, My Books, a book's page as its owner), which cannot be
 * kept whole because they carry a name and a CSRF token. Exact in the way `BookPagesCache` is: each read
 * is kept under the stamp read before it ran, and reused only while a stamp read that began after the
 * caller asked still says the same; adapters without a stamp (null) are always read. The values are shared
 * between requests, so they are frozen. Whole pages (exports, the API's `listWhole`) and pages of more than
 * MAX_KEPT_PAGE books go straight to the repository.
 */
@Injectable()
export class StampedBookReads {
  private readonly kept = new BoundedMap<string, Kept>(MAX_READS);

  constructor(
    private readonly books: BooksRepository,
    private readonly stamp: BookChangeStamp,
  ) {}

  list(query: ListQuery & { whole?: false }): Promise<BookPage> {
    if (query.limit > MAX_KEPT_PAGE) return this.books.list(query);
    const key = JSON.stringify(['list', query.createdById ?? null, query.after ?? null, query.limit, query.words ?? []]);
    return this.read(key, () => this.books.list(query)) as Promise<BookPage>;
  }

  findById(id: string): Promise<Book | null> {
    return this.read(JSON.stringify(['book', id]), () => this.books.findById(id)) as Promise<Book | null>;
  }

  private async read(key: string, load: () => Promise<Kept['value']>): Promise<Kept['value']> {
    const stamp = await this.stamp.read();
    if (stamp === null) return load();
    const kept = this.kept.get(key);
    if (kept?.stamp === stamp) return kept.value;
    const value = deepFreeze(await load());
    this.kept.set(key, { stamp, value });
    return value;
  }
}

/** Freezes a page (its array and each book) or a book, so that no caller can change what others are given. */
function deepFreeze<T extends Kept['value']>(value: T): T {
  if (value && 'books' in value) {
    for (const book of value.books) Object.freeze(book);
    Object.freeze(value.books);
  }
  return value && Object.freeze(value);
}

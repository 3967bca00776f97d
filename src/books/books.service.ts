import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CoverService, type CoverUrls } from '../storage/cover.service';
import { type Book, type BookFields, type BookSummary, type CoverKeys, sortKeyFor } from './book';
import { BookNotFound, NotBookOwner } from './books.errors';
import { BooksRepository } from './books.repository';
import { PageTokens } from './page-token';
import { StampedBookReads } from './stamped-book-reads';
import { queryWords } from './search-words';

export const PAGE_SIZE = 10;
/** Books read at a time when all of one person's books are exported, counted or deleted. */
export const EXPORT_PAGE = 100;

export interface Owner {
  id: string;
  name: string;
}

/** A book (or its summary) with the URLs of its cover. */
export type WithCover<B> = B & { cover: CoverUrls | null };
export type BookView = WithCover<Book>;
export type BookListItem = WithCover<BookSummary>;

export interface BookListPage<B extends BookListItem = BookListItem> {
  books: B[];
  nextPageToken: string | null;
  /** 1 for the first page; null for a page opened by a token that does not say (signed by an older version). */
  pageNumber: number | null;
}

/** What a form asks to do with the cover: keep it, replace it with new bytes, or remove it. */
export type CoverChange = { kind: 'keep' } | { kind: 'replace'; upload: Buffer } | { kind: 'remove' };

@Injectable()
export class BooksService {
  private readonly logger = new Logger(BooksService.name);
  private readonly tokens: PageTokens;

  constructor(
    private readonly books: BooksRepository,
    private readonly covers: CoverService,
    config: AppConfig,
    /** The same reads, reused while the change stamp stands still: for pages and single books. */
    private readonly reads: StampedBookReads,
  ) {
    this.tokens = new PageTokens(config.sessionSecrets);
  }

  /**
   * All books (no owner) or one owner's books, a page at a time (`limit` a page: the JSON API's
   * `page_size`); with a search query `q`, only the books it finds (an empty query is the plain list).
   * A page token is bound to the list and to the query's words, so one from another query is a 400.
   */
  async list(ownerId: string | undefined, pageToken: string | undefined, limit = PAGE_SIZE, q = ''): Promise<BookListPage> {
    return this.page(ownerId, pageToken, limit, q, false);
  }

  /** The same page as `list`, with whole books (descriptions, dates) for the JSON API: one query either way. */
  async listWhole(ownerId: string | undefined, pageToken: string | undefined, limit = PAGE_SIZE, q = ''): Promise<BookListPage<BookView>> {
    return this.page(ownerId, pageToken, limit, q, true);
  }

  private async page<W extends boolean>(
    ownerId: string | undefined,
    pageToken: string | undefined,
    limit: number,
    q: string,
    whole: W,
  ): Promise<BookListPage<W extends true ? BookView : BookListItem>> {
    const words = queryWords(q);
    const base = ownerId === undefined ? 'all' : `mine:${ownerId}`;
    const listName = words.length === 0 ? base : `${base}:q:${JSON.stringify(words)}`;
    const position = pageToken ? this.tokens.verify(listName, pageToken) : { cursor: undefined, page: 1 };
    const query = { createdById: ownerId, after: position.cursor, limit, words };
    const page = whole ? await this.books.list({ ...query, whole: true }) : await this.reads.list(query);
    // A page after one of unknown number is unknown too; its token still says "not the first" with 2 or more.
    const nextNumber = position.page === null ? 0 : position.page + 1;
    return {
      books: (await Promise.all(page.books.map((book) => this.view(book)))) as (W extends true ? BookView : BookListItem)[],
      nextPageToken: page.next === null ? null : this.tokens.sign(listName, page.next, nextNumber),
      pageNumber: position.page,
    };
  }

  async get(id: string): Promise<BookView> {
    return this.view(await this.find(id));
  }

  /** The book, if `userId` owns it: BookNotFound first, then NotBookOwner. */
  async getOwned(id: string, userId: string): Promise<BookView> {
    const book = await this.find(id);
    if (book.createdById !== userId) throw new NotBookOwner();
    return this.view(book);
  }

  /**
   * Creates a book. The cover is decoded and re-encoded first (InvalidImage stores nothing),
   * written only then, and removed again if the book cannot be saved.
   */
  async create(owner: Owner, fields: BookFields, upload: Buffer | undefined): Promise<Book> {
    const prepared = upload ? await this.covers.prepare(upload) : undefined;
    const cover: CoverKeys = prepared ? await this.covers.store(prepared) : { imageKey: null, thumbnailKey: null };
    try {
      return await this.books.create({
        ...fields,
        ...cover,
        sortKey: sortKeyFor(fields.title),
        createdById: owner.id,
        createdBy: owner.name,
      });
    } catch (error) {
      await this.discard(cover);
      throw error;
    }
  }

  /** Replaces the editable fields; the old cover is deleted only after the book no longer points at it. */
  async update(id: string, userId: string, fields: BookFields, change: CoverChange): Promise<Book> {
    const existing = await this.getOwned(id, userId);
    const prepared = change.kind === 'replace' ? await this.covers.prepare(change.upload) : undefined;
    const cover: CoverKeys =
      change.kind === 'keep'
        ? { imageKey: existing.imageKey, thumbnailKey: existing.thumbnailKey }
        : prepared
          ? await this.covers.store(prepared)
          : { imageKey: null, thumbnailKey: null };
    let updated: Book | null;
    try {
      updated = await this.books.update(id, { ...fields, ...cover, sortKey: sortKeyFor(fields.title) });
    } catch (error) {
      if (change.kind === 'replace') await this.discard(cover);
      throw error;
    }
    if (!updated) {
      if (change.kind === 'replace') await this.discard(cover);
      throw new BookNotFound();
    }
    if (change.kind !== 'keep') await this.discard(existing);
    return updated;
  }

  /** Deletes the book and then its cover; returns what was deleted. */
  async delete(id: string, userId: string): Promise<Book> {
    const existing = await this.getOwned(id, userId);
    await this.books.delete(id);
    await this.discard(existing);
    return existing;
  }

  /**
   * Every book of `ownerId`, whole, in list order, a page of EXPORT_PAGE at a time: an export of 100,000
   * books holds one page in memory, never all of them.
   */
  async *owned(ownerId: string): AsyncGenerator<BookView[]> {
    let after: string | undefined;
    do {
      const page = await this.books.list({ createdById: ownerId, after, limit: EXPORT_PAGE, whole: true });
      yield await Promise.all(page.books.map((book) => this.view(book)));
      after = page.next ?? undefined;
    } while (after !== undefined);
  }

  /** How many books `ownerId` has added, and how many of them have a cover. */
  async countOwned(ownerId: string): Promise<{ books: number; covers: number }> {
    const counts = { books: 0, covers: 0 };
    let after: string | undefined;
    do {
      const page = await this.books.list({ createdById: ownerId, after, limit: EXPORT_PAGE });
      counts.books += page.books.length;
      counts.covers += page.books.filter((book) => book.imageKey !== null).length;
      after = page.next ?? undefined;
    } while (after !== undefined);
    return counts;
  }

  /**
   * Deletes every book of `ownerId` and its cover objects; returns how many books went. Safe to repeat
   * after a failure: each cover is deleted before its book (a failing storage leaves the book, and so
   * the way to its cover, for the next attempt), and a failure propagates instead of being logged away.
   * Every delete moves the change stamp, so anonymous list pages show the books gone at once.
   */
  async deleteAllOf(ownerId: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      // Always the first page: the books of the previous one are gone.
      const page = await this.books.list({ createdById: ownerId, limit: EXPORT_PAGE });
      for (const book of page.books) {
        await this.covers.remove(book);
        await this.books.delete(book.id);
        deleted++;
      }
      if (page.next === null) return deleted;
    }
  }

  private async find(id: string): Promise<Book> {
    const book = await this.reads.findById(id);
    if (!book) throw new BookNotFound();
    return book;
  }

  private async view<B extends BookSummary>(book: B): Promise<WithCover<B>> {
    return { ...book, cover: await this.covers.urls(book) };
  }

  /** Deleting a cover is cleanup: a failure is logged, never turned into a failed request. */
  private async discard(cover: CoverKeys): Promise<void> {
    try {
      await this.covers.remove(cover);
    } catch (error) {
      this.logger.warn(`Could not delete cover ${cover.imageKey}: ${String(error)}`);
    }
  }
}

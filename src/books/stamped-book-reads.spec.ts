import type { Book, BookSummary } from './book';
import { BookChangeStamp } from './book-change-stamp';
import type { BookPage, BooksRepository, ListQuery } from './books.repository';
import { MAX_KEPT_PAGE, StampedBookReads } from './stamped-book-reads';

/** A repository that counts its reads; its stamp is whatever the test sets. Only the reads are used. */
class CountingBooks {
  stamp: string | null = '1';
  lists = 0;
  finds = 0;
  /** Runs inside a read, after the stamp was read: a write made meanwhile. */
  duringRead?: () => void;

  async changeStamp(): Promise<string | null> {
    return this.stamp;
  }

  async list(query: ListQuery): Promise<BookPage> {
    this.lists++;
    this.duringRead?.();
    const book: BookSummary = {
      id: String(this.lists),
      title: `read ${this.lists}`,
      author: '',
      imageKey: null,
      thumbnailKey: null,
      createdById: query.createdById ?? 'x',
      sortKey: 'k',
    };
    return { books: [book], next: null };
  }

  async findById(id: string): Promise<Book | null> {
    this.finds++;
    if (id === 'gone') return null;
    return { id, title: `find ${this.finds}` } as Book;
  }
}

describe(StampedBookReads.name, () => {
  let books: CountingBooks;
  let reads: StampedBookReads;

  beforeEach(() => {
    books = new CountingBooks();
    const repository = books as unknown as BooksRepository;
    reads = new StampedBookReads(repository, new BookChangeStamp(repository));
  });

  it('reuses a page while the stamp stands still, and reads again as soon as it moves', async () => {
    await expect(reads.list({ limit: 10 })).resolves.toMatchObject({ books: [{ title: 'read 1' }] });
    await expect(reads.list({ limit: 10 })).resolves.toMatchObject({ books: [{ title: 'read 1' }] });
    books.stamp = '2';
    await expect(reads.list({ limit: 10 })).resolves.toMatchObject({ books: [{ title: 'read 2' }] });
    expect(books.lists).toBe(2);
  });

  it('keeps each owner, position, size and search apart', async () => {
    const queries: (ListQuery & { whole?: false })[] = [
      { limit: 10 },
      { limit: 10, createdById: 'ada' },
      { limit: 10, createdById: 'bob' },
      { limit: 10, after: 'cursor' },
      { limit: 11 },
      { limit: 10, words: ['dune'] },
      { limit: 10, words: ['dune', 'frank'] },
    ];
    for (const query of queries) await reads.list(query);
    for (const query of queries) await reads.list(query);
    expect(books.lists).toBe(queries.length);
  });

  it(`never keeps a page of more than ${MAX_KEPT_PAGE} books (whole pages never reach it: BooksService reads those itself)`, async () => {
    await reads.list({ limit: MAX_KEPT_PAGE + 1 });
    await reads.list({ limit: MAX_KEPT_PAGE + 1 });
    expect(books.lists).toBe(2);
  });

  it('keeps a book, and that there is none, under the stamp', async () => {
    await expect(reads.findById('7')).resolves.toMatchObject({ title: 'find 1' });
    await expect(reads.findById('7')).resolves.toMatchObject({ title: 'find 1' });
    await expect(reads.findById('gone')).resolves.toBeNull();
    await expect(reads.findById('gone')).resolves.toBeNull();
    expect(books.finds).toBe(2);
    books.stamp = '2';
    await expect(reads.findById('7')).resolves.toMatchObject({ title: 'find 3' });
  });

  it('reads again after a write that happened while the kept read ran', async () => {
    books.duringRead = () => {
      books.stamp = '2';
      books.duringRead = undefined;
    };
    await reads.list({ limit: 10 });
    await expect(reads.list({ limit: 10 })).resolves.toMatchObject({ books: [{ title: 'read 2' }] });
  });

  it('always reads for an adapter without a stamp', async () => {
    books.stamp = null;
    await reads.list({ limit: 10 });
    await reads.findById('7');
    await reads.list({ limit: 10 });
    await reads.findById('7');
    expect([books.lists, books.finds]).toEqual([2, 2]);
  });

  it('gives values no caller can change for the others', async () => {
    const page = await reads.list({ limit: 10 });
    expect(Object.isFrozen(page) && Object.isFrozen(page.books) && Object.isFrozen(page.books[0])).toBe(true);
    expect(Object.isFrozen(await reads.findById('7'))).toBe(true);
  });
});

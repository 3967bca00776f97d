import { loadConfig } from '../config/app-config';
import type { CoverService, PreparedCover } from '../storage/cover.service';
import type { Book, BookChanges, CoverKeys, NewBook } from './book';
import { BookNotFound, NotBookOwner } from './books.errors';
import { type BookPage, BooksRepository, type ListQuery } from './books.repository';
import { BooksService } from './books.service';
import { BookChangeStamp } from './book-change-stamp';
import { StampedBookReads } from './stamped-book-reads';

/** An in-memory repository, just enough for the service's own rules. */
class MemoryBooks extends BooksRepository {
  readonly rows = new Map<string, Book>();
  failWrites = false;
  private next = 1;

  async create(book: NewBook): Promise<Book> {
    if (this.failWrites) throw new Error('database down');
    const now = new Date();
    const created = { ...book, id: String(this.next++), createdAt: now, updatedAt: now };
    this.rows.set(created.id, created);
    return created;
  }
  async findById(id: string): Promise<Book | null> {
    return this.rows.get(id) ?? null;
  }
  async update(id: string, changes: BookChanges): Promise<Book | null> {
    if (this.failWrites) throw new Error('database down');
    const book = this.rows.get(id);
    if (!book) return null;
    const updated = { ...book, ...changes, updatedAt: new Date() };
    this.rows.set(id, updated);
    return updated;
  }
  async delete(id: string): Promise<void> {
    this.rows.delete(id);
  }
  async list(_query: ListQuery): Promise<BookPage<Book>> {
    return { books: [...this.rows.values()], next: null };
  }
  /** Null (no stamp, so nothing is kept) unless a test sets one. */
  stamp: string | null = null;
  async changeStamp(): Promise<string | null> {
    return this.stamp;
  }
}

/** Records which cover objects exist; `prepare` accepts anything but the bytes "bad". */
class FakeCovers {
  readonly stored = new Set<string>();
  private next = 1;

  async prepare(upload: Buffer): Promise<PreparedCover> {
    if (upload.toString() === 'bad') throw new Error('InvalidImage');
    return { image: upload, thumbnail: upload, contentType: 'image/webp' };
  }
  async store(): Promise<{ imageKey: string; thumbnailKey: string }> {
    const n = this.next++;
    const keys = { imageKey: `img-${n}`, thumbnailKey: `thumb-${n}` };
    this.stored.add(keys.imageKey).add(keys.thumbnailKey);
    return keys;
  }
  async remove(keys: CoverKeys): Promise<void> {
    if (keys.imageKey) this.stored.delete(keys.imageKey);
    if (keys.thumbnailKey) this.stored.delete(keys.thumbnailKey);
  }
  async urls(keys: CoverKeys) {
    return keys.imageKey ? { image: `/covers/${keys.imageKey}`, thumbnail: `/covers/${keys.thumbnailKey}` } : null;
  }
}

describe(BooksService.name, () => {
  const ada = { id: 'ada', name: 'Ada' };
  const fields = { title: 'Dune', author: 'Frank Herbert', publishedDate: '1965', description: '' };
  let books: MemoryBooks;
  let covers: FakeCovers;
  let service: BooksService;

  beforeEach(() => {
    books = new MemoryBooks();
    covers = new FakeCovers();
    service = new BooksService(
      books,
      covers as unknown as CoverService,
      loadConfig({ SESSION_SECRET: 's' }),
      new StampedBookReads(books, new BookChangeStamp(books)),
    );
  });

  it('reuses list pages and books while the stamp stands still, but reads whole pages (the API, exports) every time', async () => {
    books.stamp = '1';
    const { id } = await service.create(ada, fields, undefined);
    const list = jest.spyOn(books, 'list');
    const find = jest.spyOn(books, 'findById');
    for (let i = 0; i < 2; i++) {
      await service.list(undefined, undefined);
      await service.get(id);
    }
    expect([list.mock.calls.length, find.mock.calls.length]).toEqual([1, 1]);
    for (let i = 0; i < 2; i++) await service.listWhole(undefined, undefined);
    for await (const page of service.owned(ada.id)) expect(page).toHaveLength(1);
    expect(list.mock.calls.slice(1).map(([query]) => query.whole)).toEqual([true, true, true]);
  });

  it('sets the owner and the sort key on create', async () => {
    const book = await service.create(ada, { ...fields, title: 'ＤＵＮＥ' }, undefined);
    expect(book).toMatchObject({ createdById: 'ada', createdBy: 'Ada', sortKey: 'dune', imageKey: null });
  });

  it('removes the stored cover when the book cannot be saved', async () => {
    books.failWrites = true;
    await expect(service.create(ada, fields, Buffer.from('png'))).rejects.toThrow('database down');
    expect(covers.stored.size).toBe(0);
  });

  it('stores nothing when the cover is refused', async () => {
    await expect(service.create(ada, fields, Buffer.from('bad'))).rejects.toThrow('InvalidImage');
    expect(covers.stored.size).toBe(0);
    expect(books.rows.size).toBe(0);
  });

  it('refuses to edit a book owned by someone else, and leaves it unchanged', async () => {
    const book = await service.create(ada, fields, undefined);
    await expect(service.update(book.id, 'mallory', { ...fields, title: 'Mine now' }, { kind: 'keep' })).rejects.toThrow(NotBookOwner);
    expect(books.rows.get(book.id)?.title).toBe('Dune');
  });

  it('answers BookNotFound before NotBookOwner', async () => {
    await expect(service.getOwned('404', 'mallory')).rejects.toThrow(BookNotFound);
  });

  it('deletes the old cover when a new one replaces it', async () => {
    const book = await service.create(ada, fields, Buffer.from('one'));
    const updated = await service.update(book.id, 'ada', fields, { kind: 'replace', upload: Buffer.from('two') });
    expect([...covers.stored]).toEqual([updated.imageKey, updated.thumbnailKey]);
    expect(updated.imageKey).not.toBe(book.imageKey);
  });

  it('keeps the cover unless told otherwise, and removes it when asked', async () => {
    const book = await service.create(ada, fields, Buffer.from('one'));
    const kept = await service.update(book.id, 'ada', { ...fields, title: 'Dune Messiah' }, { kind: 'keep' });
    expect(kept.imageKey).toBe(book.imageKey);
    expect(covers.stored.size).toBe(2);
    const removed = await service.update(book.id, 'ada', fields, { kind: 'remove' });
    expect(removed.imageKey).toBeNull();
    expect(covers.stored.size).toBe(0);
  });

  it('keeps the old cover and drops the new one when saving an edit fails', async () => {
    const book = await service.create(ada, fields, Buffer.from('one'));
    books.failWrites = true;
    await expect(service.update(book.id, 'ada', fields, { kind: 'replace', upload: Buffer.from('two') })).rejects.toThrow();
    expect([...covers.stored]).toEqual([book.imageKey, book.thumbnailKey]);
  });

  it('deletes the cover with the book', async () => {
    const book = await service.create(ada, fields, Buffer.from('one'));
    await service.delete(book.id, 'ada');
    expect(books.rows.size).toBe(0);
    expect(covers.stored.size).toBe(0);
  });
});

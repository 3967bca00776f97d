import { type Book, type BookChanges, type BookSummary, compareSortKeys, type NewBook, sortKeyFor } from '../../src/books/book';
import type { BooksRepository } from '../../src/books/books.repository';
import { InvalidPageToken } from '../../src/common/domain-errors';
import { queryWords, searchPrefixes } from '../../src/books/search-words';

/**
 * The one contract suite of the `BooksRepository` port (docs/architecture.md sections 1 and 3): every
 * adapter passes it. Call it from a `*.contract-spec.ts` file with a `setup` that opens the backend:
 *
 * ```ts
 * describeBooksRepositoryContract(`${SqlBooksRepository.name} on PostgreSQL`, async () => {
 *   const database = await createPostgresDatabase();
 *   const sql = new SqlDatabase(database.url);
 *   await migrateToLatest(sql, FEATURE_STORAGE);
 *   return {
 *     repository: new SqlBooksRepository(sql),
 *     compareIds: (a, b) => Number(a) - Number(b),
 *     reset: async () => void (await sql.tables<BooksTables>().deleteFrom('books').execute()),
 *     close: async () => { await sql.close(); await database.drop(); },
 *   };
 * });
 * ```
 *
 * `setup` runs once before the suite, `reset` before every test (each test starts from an empty store),
 * `close` once at the end. Skipping when the server is missing is the caller's business (`describeWhen`).
 */
export interface BooksRepositoryHarness {
  repository: BooksRepository;
  /** The backend's own order of ids, which breaks ties between equal sort keys (SQL: numeric). */
  compareIds(a: string, b: string): number;
  /** Removes every book. */
  reset(): Promise<void>;
  /**
   * Titles a stand-in test server cannot order like the real database (jongodb compares UTF-16 units);
   * left out of the order test there, and kept when the suite runs against the real server.
   */
  unorderable?: RegExp;
  /** Whether the adapter keeps a change stamp (`changeStamp` never null); the others always say null. */
  changeStamps: boolean;
  close(): Promise<void>;
}

/** Ids that no backend can have issued: each must read as "no such book", never as an error. */
export const MALFORMED_IDS = [
  '',
  'abc',
  '1.5',
  '-1',
  '0',
  '01',
  ' 1',
  '1e3',
  '0x10',
  '99999999999999999999',
  '507f1f77bcf86cd799439011',
  "1' or '1'='1",
  '../1',
  '%00',
  '😀',
];

/** Titles whose order differs between naive comparisons: case, accents, NFKC, emoji, UTF-16 vs UTF-8. */
export const TRICKY_TITLES = [
  'apple',
  'Apple',
  'APPLE pie',
  'Äpfel',
  'zebra',
  'Zebra',
  'éclair',
  'Eclair',
  '😀 smile',
  '\uFFFD replacement', // below 😀 in UTF-8 and code points, above it in UTF-16 units
  'ﬀ ligature', // NFKC: "ff ligature"
  'ff ligature',
  '10 apples',
  '9 apples',
  // MySQL's utf8mb4_bin is a PAD SPACE collation: it sorts a tab below the end of "apple" (bytewise: above),
  // and ignores trailing spaces. NFKC expands ﷺ to 18 characters, so the key of the second title, cut at
  // SORT_KEY_LENGTH, would end in a space and tie with the first one's there; created first (the list is
  // created reversed), it would then come first by id. `sortKeyFor` must leave no such keys.
  'apple\tpie',
  'apple pie',
  'applepie',
  'a'.repeat(8) + 'ﷺ'.repeat(16) + 'صلى',
  'a'.repeat(8) + 'ﷺ'.repeat(17),
  '東京',
  'Ωmega',
];

let counter = 0;

export function newBook(overrides: Partial<NewBook> & { title?: string } = {}): NewBook {
  counter += 1;
  const title = overrides.title ?? `Book ${counter}`;
  return {
    title,
    author: `Author ${counter}`,
    publishedDate: '1843',
    description: `Description ${counter}\nwith two lines`,
    imageKey: null,
    thumbnailKey: null,
    createdById: 'owner-1',
    createdBy: 'Owner One',
    sortKey: sortKeyFor(title),
    ...overrides,
  };
}

/** The fields `update` takes, from a book. */
export function changesOf(book: Book | NewBook): BookChanges {
  const { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey } = book;
  return { title, author, publishedDate, description, imageKey, thumbnailKey, sortKey };
}

export function describeBooksRepositoryContract(name: string, setup: () => Promise<BooksRepositoryHarness>): void {
  describe(name, () => {
    let harness: BooksRepositoryHarness;
    let books: BooksRepository;

    beforeAll(async () => {
      harness = await setup();
      books = harness.repository;
    });

    beforeEach(async () => {
      await harness.reset();
    });

    afterAll(async () => {
      await harness?.close();
    });

    /** The list order of docs/architecture.md section 3: sortKey bytewise, then the backend's id order. */
    function listOrder(a: BookSummary, b: BookSummary): number {
      return compareSortKeys(a.sortKey, b.sortKey) || harness.compareIds(a.id, b.id);
    }

    /** Walks a list page by page and returns every book in the order seen. */
    async function walk(limit: number, createdById?: string, q?: string): Promise<BookSummary[]> {
      const seen: BookSummary[] = [];
      let after: string | undefined;
      const words = q === undefined ? undefined : queryWords(q);
      for (let page = 0; page < 1000; page++) {
        const result = await books.list({ createdById, after, limit, words });
        expect(result.books.length).toBeLessThanOrEqual(limit);
        seen.push(...result.books);
        if (result.next === null) return seen;
        // `next` is null exactly when nothing follows, so a page with a `next` is a full page.
        expect(result.books).toHaveLength(limit);
        after = result.next;
      }
      throw new Error('The list never ended');
    }

    async function createAll(items: NewBook[]): Promise<Book[]> {
      const created: Book[] = [];
      // One at a time, so that ids are issued in a known order on every backend.
      for (const item of items) created.push(await books.create(item));
      return created;
    }

    describe('create and read', () => {
      it('creates a book and reads it back by its string id', async () => {
        const input = newBook({ imageKey: 'a.webp', thumbnailKey: 'a-thumb.webp', createdBy: 'Ada Lovelace' });
        const created = await books.create(input);

        expect(typeof created.id).toBe('string');
        expect(created.id).not.toBe('');
        expect(created).toMatchObject(input);
        expect(created.createdAt).toBeInstanceOf(Date);
        expect(created.updatedAt).toBeInstanceOf(Date);
        await expect(books.findById(created.id)).resolves.toEqual(created);
      });

      it('lists a book with its summary: id, title, author, cover keys, owner and sort key', async () => {
        const created = await books.create(
          newBook({ title: 'Émile 📚', author: 'Rousseau', imageKey: 'c.webp', thumbnailKey: 'c-thumb.webp' }),
        );
        const { id, title, author, imageKey, thumbnailKey, createdById, sortKey } = created;

        const [listed] = (await books.list({ limit: 10 })).books;

        expect(listed).toMatchObject({ id, title, author, imageKey, thumbnailKey, createdById, sortKey });
      });

      it('gives every book its own id', async () => {
        const created = await createAll([newBook(), newBook(), newBook()]);
        expect(new Set(created.map((b) => b.id)).size).toBe(3);
      });

      it('keeps text exactly: emoji, accents, other scripts, newlines and tabs, at the longest lengths the form allows', async () => {
        const input = newBook({
          title: '😀'.repeat(200),
          author: 'Crème Brûlée — 東京 ' + 'é'.repeat(180),
          publishedDate: '🗓'.repeat(50),
          description: 'Line one\n\tLine two 👩‍👩‍👧 ' + 'ß'.repeat(4950),
          createdBy: 'Zoë 🦊',
        });
        const created = await books.create(input);
        await expect(books.findById(created.id)).resolves.toMatchObject(input);
      });

      it('reads unknown and malformed ids as null', async () => {
        const gone = await books.create(newBook());
        await books.delete(gone.id);
        for (const id of [gone.id, ...MALFORMED_IDS]) {
          await expect(books.findById(id)).resolves.toBeNull();
        }
      });
    });

    describe('change stamp', () => {
      it('moves with every create, update and delete, and only then (or is always null)', async () => {
        const stamps = [await books.changeStamp()];
        const book = await books.create(newBook());
        stamps.push(await books.changeStamp(), await books.changeStamp());
        await books.list({ limit: 10 });
        await books.findById(book.id);
        stamps.push(await books.changeStamp());
        await books.update(book.id, { ...changesOf(book), title: 'Renamed', sortKey: sortKeyFor('Renamed') });
        stamps.push(await books.changeStamp());
        await books.delete(book.id);
        stamps.push(await books.changeStamp());

        if (!harness.changeStamps) return expect(stamps).toEqual(stamps.map(() => null));
        const [before, created, again, afterReads, updated, deleted] = stamps;
        expect(typeof before).toBe('string');
        expect([created, afterReads]).toEqual([again, again]);
        expect(new Set([before, created, updated, deleted]).size).toBe(4);
      });
    });

    describe('update', () => {
      it('replaces the editable fields and cover keys, and keeps the owner and creation time', async () => {
        const created = await books.create(newBook({ imageKey: 'old.webp', thumbnailKey: 'old-thumb.webp' }));
        const changes = {
          title: 'Éloge de l’ombre',
          author: 'Tanizaki',
          publishedDate: '1933',
          description: 'Shadows',
          imageKey: null,
          thumbnailKey: null,
          sortKey: sortKeyFor('Éloge de l’ombre'),
        };

        const updated = await books.update(created.id, changes);

        expect(updated).toMatchObject({ ...changes, id: created.id, createdById: created.createdById, createdBy: created.createdBy });
        expect(updated!.createdAt).toEqual(created.createdAt);
        expect(updated!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
        await expect(books.findById(created.id)).resolves.toEqual(updated);
      });

      it('never changes the owner, even when handed one', async () => {
        const created = await books.create(newBook({ createdById: 'ada', createdBy: 'Ada' }));
        const forged = { ...changesOf(created), createdById: 'mallory', createdBy: 'Mallory' } as BookChanges;

        await expect(books.update(created.id, forged)).resolves.toMatchObject({ createdById: 'ada', createdBy: 'Ada' });
        await expect(books.findById(created.id)).resolves.toMatchObject({ createdById: 'ada', createdBy: 'Ada' });
      });

      it('succeeds when nothing changes', async () => {
        const created = await books.create(newBook());
        // Twice in a row, within the same millisecond at times: still "found", never null.
        await expect(books.update(created.id, changesOf(created))).resolves.toMatchObject({ id: created.id });
        await expect(books.update(created.id, changesOf(created))).resolves.toMatchObject({ id: created.id });
      });

      it('returns null for unknown and malformed ids and creates nothing', async () => {
        const gone = await books.create(newBook());
        await books.delete(gone.id);
        for (const id of [gone.id, ...MALFORMED_IDS]) {
          await expect(books.update(id, changesOf(newBook()))).resolves.toBeNull();
        }
        await expect(books.list({ limit: 10 })).resolves.toEqual({ books: [], next: null });
      });
    });

    describe('delete', () => {
      it('removes the book and only that book', async () => {
        const [kept, removed] = await createAll([newBook(), newBook()]);
        await books.delete(removed.id);
        await expect(books.findById(removed.id)).resolves.toBeNull();
        await expect(books.findById(kept.id)).resolves.toEqual(kept);
      });

      it('is idempotent, and ignores unknown and malformed ids', async () => {
        const book = await books.create(newBook());
        await books.delete(book.id);
        await expect(books.delete(book.id)).resolves.toBeUndefined();
        for (const id of MALFORMED_IDS) await expect(books.delete(id)).resolves.toBeUndefined();
      });
    });

    describe('list order and paging', () => {
      it('answers an empty list with no books and no next page', async () => {
        await expect(books.list({ limit: 10 })).resolves.toEqual({ books: [], next: null });
        await expect(books.list({ limit: 10, createdById: 'nobody' })).resolves.toEqual({ books: [], next: null });
      });

      it('orders by sort key compared bytewise (UTF-8), then by id, whatever the case, accents or emoji', async () => {
        // Created in an order unrelated to the expected one, with some titles twice.
        const tricky = TRICKY_TITLES.filter((title) => !harness.unorderable?.test(title));
        const titles = [...tricky].reverse().concat(tricky.slice(0, 5));
        const created = await createAll(titles.map((title) => newBook({ title })));

        const listed = await walk(4);

        expect(listed.map((b) => b.id)).toEqual([...created].sort(listOrder).map((b) => b.id));
        for (let i = 1; i < listed.length; i++) {
          const order = compareSortKeys(listed[i - 1].sortKey, listed[i].sortKey);
          expect(order).toBeLessThanOrEqual(0);
          if (order === 0) expect(harness.compareIds(listed[i - 1].id, listed[i].id)).toBeLessThan(0);
        }
      });

      it('pages over many books with the same title, each exactly once, in id order', async () => {
        const created = await createAll([
          newBook({ title: 'B' }),
          ...Array.from({ length: 11 }, () => newBook({ title: 'Same title' })),
          newBook({ title: 'A' }),
          newBook({ title: 'same TITLE' }), // another case: the same sort key
        ]);

        for (const limit of [1, 2, 3, 5, 10]) {
          const listed = await walk(limit);
          expect(listed.map((b) => b.id)).toEqual([...created].sort(listOrder).map((b) => b.id));
        }
      });

      it('says exactly whether another page exists', async () => {
        await createAll([newBook(), newBook(), newBook(), newBook()]);

        const first = await books.list({ limit: 2 });
        expect(first.books).toHaveLength(2);
        expect(first.next).not.toBeNull();
        const second = await books.list({ limit: 2, after: first.next! });
        expect(second.books).toHaveLength(2);
        expect(second.next).toBeNull();
        await expect(books.list({ limit: 4 })).resolves.toMatchObject({ next: null });
        expect((await books.list({ limit: 3 })).next).not.toBeNull();
      });

      it('continues after a book that was deleted since its page was shown', async () => {
        const created = await createAll(['a', 'b', 'c', 'd'].map((title) => newBook({ title })));
        const first = await books.list({ limit: 2 });
        await books.delete(created[1].id);

        const rest = await books.list({ limit: 2, after: first.next! });

        expect(rest.books.map((b) => b.title)).toEqual(['c', 'd']);
      });

      it('refuses a cursor it did not issue', async () => {
        await createAll([newBook(), newBook()]);
        for (const after of ['', 'garbage', '[]', '{"a":1}', '["x"]', 'null']) {
          await expect(books.list({ limit: 1, after })).rejects.toBeInstanceOf(InvalidPageToken);
        }
      });
    });

    describe('search', () => {
      /** The titles a search finds, walking every page of `limit`. */
      async function found(q: string, limit = 10, createdById?: string): Promise<string[]> {
        return (await walk(limit, createdById, q)).map((b) => b.title);
      }

      /** What the contract means by a match: every query word is a prefix of a word of title or author. */
      function matches(book: Pick<Book, 'title' | 'author'>, q: string): boolean {
        const prefixes = new Set(searchPrefixes(book.title, book.author));
        return queryWords(q).every((word) => prefixes.has(word));
      }

      it('finds a book when every word starts a word of its title or author, in any order', async () => {
        await createAll([
          newBook({ title: 'The Lord of the Rings', author: 'J. R. R. Tolkien' }),
          newBook({ title: 'The Hobbit', author: 'J. R. R. Tolkien' }),
          newBook({ title: 'Lord Jim', author: 'Joseph Conrad' }),
          newBook({ title: 'Ringworld', author: 'Larry Niven' }),
        ]);

        await expect(found('tolk lord')).resolves.toEqual(['The Lord of the Rings']);
        await expect(found('LORD  Tolk')).resolves.toEqual(['The Lord of the Rings']);
        await expect(found('tolkien')).resolves.toEqual(['The Hobbit', 'The Lord of the Rings']);
        await expect(found('lord')).resolves.toEqual(['Lord Jim', 'The Lord of the Rings']);
        await expect(found('ring')).resolves.toEqual(['Ringworld', 'The Lord of the Rings']);
        await expect(found('r r r')).resolves.toEqual(['Ringworld', 'The Hobbit', 'The Lord of the Rings']);
        // The start of a word only, and every word.
        await expect(found('olkien')).resolves.toEqual([]);
        await expect(found('world')).resolves.toEqual([]);
        await expect(found('tolkien conrad')).resolves.toEqual([]);
        await expect(found('lord jimmy')).resolves.toEqual([]);
      });

      it('ignores case and accents, and splits words at punctuation, in the query as in the books', async () => {
        await createAll([
          newBook({ title: "L'Étranger", author: 'Albert Camus' }),
          newBook({ title: 'Äpfel und Birnen', author: 'Zoë Müller-Lüdenscheidt' }),
          newBook({ title: 'ﬁligree', author: 'Ｆｕｌｌｗｉｄｔｈ' }),
          newBook({ title: 'Ἡ Ὀδύσσεια', author: 'Ὅμηρος' }),
          newBook({ title: '東京の夜', author: 'Śnieg' }),
        ]);

        await expect(found('étr')).resolves.toEqual(["L'Étranger"]);
        await expect(found('ETRANGER l')).resolves.toEqual(["L'Étranger"]);
        await expect(found("l'é")).resolves.toEqual(["L'Étranger"]);
        await expect(found('apf')).resolves.toEqual(['Äpfel und Birnen']);
        await expect(found('LUDEN zoe')).resolves.toEqual(['Äpfel und Birnen']);
        await expect(found('fil full')).resolves.toEqual(['ﬁligree']);
        await expect(found('οδυσ')).resolves.toEqual(['Ἡ Ὀδύσσεια']);
        await expect(found('東京の')).resolves.toEqual(['東京の夜']);
        await expect(found('snieg')).resolves.toEqual(['東京の夜']);
        await expect(found('tranger')).resolves.toEqual([]);
      });

      it('matches words of up to 40 characters, and a longer query word by its first 40', async () => {
        const long = 'x'.repeat(38) + 'yz' + 'w'.repeat(20);
        await createAll([newBook({ title: `The ${long}`, author: 'Long' }), newBook({ title: 'x'.repeat(39), author: 'Short' })]);

        await expect(found('x'.repeat(38) + 'y')).resolves.toEqual([`The ${long}`]);
        await expect(found(long)).resolves.toEqual([`The ${long}`]);
        // Beyond 40 characters a query word is ignored: 'q' is the 41st.
        await expect(found('x'.repeat(38) + 'yzq')).resolves.toEqual([`The ${long}`]);
        await expect(found('x'.repeat(38) + 'yq')).resolves.toEqual([]);
        await expect(found('x'.repeat(39))).resolves.toEqual(['x'.repeat(39)]);
      });

      it('lists results in list order, paging over ties and non-matching books, each exactly once', async () => {
        const titles = ['Same river', 'same RIVER', 'A river', 'River', 'Rivers of Babylon', 'Riverside', 'Zebra river', 'Ärger am River'];
        const created = await createAll([
          ...titles.map((title, i) => newBook({ title, author: `Writer ${i}` })),
          ...titles.map((title) => newBook({ title: `${title.replace(/river/gi, 'lake')}`, author: 'Riv Er' })),
          ...Array.from({ length: 6 }, () => newBook({ title: 'Same river', author: 'Twin' })),
          newBook({ title: 'Unrelated', author: 'Nobody' }),
        ]);

        for (const [q, limit] of [
          ['river', 1],
          ['river', 3],
          ['riv', 2],
          ['same riv', 2],
          ['riv er', 4],
        ] as const) {
          const listed = await walk(limit, undefined, q);
          const expected = created.filter((b) => matches(b, q)).sort(listOrder);
          expect(expected.length).toBeGreaterThan(limit);
          expect([q, limit, listed.map((b) => b.id)]).toEqual([q, limit, expected.map((b) => b.id)]);
        }
      });

      it('intersects words whose entries interleave, in runs and alone, with pages ending anywhere, on all books and on My Books', async () => {
        // Stretches of books with one word only, with the words alternating, with all of them, and mixed:
        // a search must skip the first two and page through the others exactly.
        const patterns = [
          () => 'alpha',
          (j: number) => (j % 2 ? 'alpha' : 'beta'),
          () => 'alpha beta gamma',
          (j: number) => ['alpha', 'beta', 'alpha beta', 'gamma beta', 'alphabet', 'beta alpha gamma', ''][(j * 5) % 7],
          () => 'gamma beta',
          (j: number) => (j % 3 ? 'alpha beta' : 'alpha'),
          (j: number) => (j % 4 ? 'beta' : 'gamma alpha beta'),
        ];
        const created = await createAll(
          patterns.flatMap((pattern, block) =>
            Array.from({ length: 9 }, (_, j) =>
              newBook({
                title: `Block ${block} ${pattern(j)} ${j}`,
                author: j === 4 ? 'Gamma Writer' : 'Writer',
                createdById: j % 3 === 0 ? 'bob' : 'ada',
              }),
            ),
          ),
        );

        for (const [q, limit, owner] of [
          ['alpha beta', 1, undefined],
          ['alpha beta', 4, undefined],
          ['beta alpha gamma', 2, undefined],
          ['gam alp bet', 3, undefined],
          ['alp be 4', 1, undefined],
          ['alpha beta', 2, 'ada'],
          ['gamma beta alpha', 1, 'bob'],
        ] as const) {
          const listed = await walk(limit, owner, q);
          const expected = created.filter((b) => (owner === undefined || b.createdById === owner) && matches(b, q)).sort(listOrder);
          expect(expected.length).toBeGreaterThan(limit);
          expect([q, limit, owner, listed.map((b) => b.id)]).toEqual([q, limit, owner, expected.map((b) => b.id)]);
        }
        await expect(found('alpha beta zzz')).resolves.toEqual([]);
        await expect(found('alphabet beta')).resolves.toEqual([]);
      });

      it('searches one owner’s books only on My Books, in list order across pages', async () => {
        const created = await createAll(
          ['kiwi pie', 'Apple pie', 'apple crumble', 'Pie chart', 'cherry pie'].flatMap((title) => [
            newBook({ title, createdById: 'ada' }),
            newBook({ title, createdById: 'bob' }),
          ]),
        );

        const listed = await walk(2, 'ada', 'pie');
        const expected = created.filter((b) => b.createdById === 'ada' && matches(b, 'pie')).sort(listOrder);
        expect(listed.map((b) => b.id)).toEqual(expected.map((b) => b.id));
        expect(listed).toHaveLength(4);
        await expect(found('apple', 10, 'nobody')).resolves.toEqual([]);
      });

      it('says exactly whether another page of results exists, and lists whole books when asked', async () => {
        const created = await createAll([newBook({ title: 'Alpha one' }), newBook({ title: 'Alpha two' }), newBook({ title: 'Beta' })]);
        const words = queryWords('alpha');

        const first = await books.list({ limit: 1, words });
        expect(first.books.map((b) => b.title)).toEqual(['Alpha one']);
        expect(first.next).not.toBeNull();
        const second = await books.list({ limit: 1, words, after: first.next!, whole: true });
        expect(second.books).toEqual([created[1]]);
        expect(second.next).toBeNull();
        await expect(books.list({ limit: 2, words })).resolves.toMatchObject({ next: null });
      });

      it('finds a book by its new title as soon as the update returns, and no longer by the old one', async () => {
        const [book, other] = await createAll([
          newBook({ title: 'Old name', author: 'Someone' }),
          newBook({ title: 'Old habits', author: 'Else' }),
        ]);

        await books.update(book.id, { ...changesOf(book), title: 'Zany new', author: 'Writer', sortKey: sortKeyFor('Zany new') });

        await expect(found('zany')).resolves.toEqual(['Zany new']);
        await expect(found('writ new')).resolves.toEqual(['Zany new']);
        await expect(found('old')).resolves.toEqual(['Old habits']);
        await expect(found('some')).resolves.toEqual([]);
        // The new sort key orders it among results, and its owner's search sees it too.
        await books.update(other.id, { ...changesOf(other), title: 'Aardvark new', sortKey: sortKeyFor('Aardvark new') });
        await expect(found('new')).resolves.toEqual(['Aardvark new', 'Zany new']);
        await expect(found('new', 1, 'owner-1')).resolves.toEqual(['Aardvark new', 'Zany new']);
      });

      it('no longer finds a deleted book, and continues after one deleted since its page was shown', async () => {
        const created = await createAll(['Moon a', 'Moon b', 'Moon c', 'Moon d'].map((title) => newBook({ title })));
        const first = await books.list({ limit: 2, words: queryWords('moon') });
        await books.delete(created[1].id);
        await books.delete(created[2].id);

        const rest = await books.list({ limit: 2, words: queryWords('moon'), after: first.next! });

        expect(rest.books.map((b) => b.title)).toEqual(['Moon d']);
        await expect(found('moon')).resolves.toEqual(['Moon a', 'Moon d']);
      });

      it('answers an empty store, and refuses a cursor it did not issue', async () => {
        await expect(books.list({ limit: 10, words: ['x'] })).resolves.toEqual({ books: [], next: null });
        await createAll([newBook({ title: 'Book x' }), newBook({ title: 'Book y' })]);
        for (const after of ['', 'garbage', '[]', '["x"]', 'null']) {
          await expect(books.list({ limit: 1, after, words: ['book'] })).rejects.toBeInstanceOf(InvalidPageToken);
        }
      });
    });

    describe('My Books', () => {
      it("lists only the owner's books, in list order, across pages", async () => {
        const titles = ['kiwi', 'Apple', 'apple', 'banana', 'Apple', 'cherry', 'date', 'éclair', 'fig'];
        const created = await createAll(
          titles.flatMap((title, i) => [
            newBook({ title, createdById: 'ada', createdBy: 'Ada' }),
            newBook({ title: `${title} ${i}`, createdById: 'bob', createdBy: 'Bob' }),
          ]),
        );

        for (const owner of ['ada', 'bob']) {
          const listed = await walk(2, owner);
          const expected = created.filter((b) => b.createdById === owner).sort(listOrder);
          expect(listed.map((b) => b.id)).toEqual(expected.map((b) => b.id));
        }
      });

      it('lists whole books when asked (exports), in the same order and pages', async () => {
        const created = await createAll(
          ['pear', 'Apple', 'mango'].map((title) => newBook({ title, createdById: 'ada', createdBy: 'Ada' })),
        );
        const first = await books.list({ createdById: 'ada', limit: 2, whole: true });
        const rest = await books.list({ createdById: 'ada', limit: 2, whole: true, after: first.next! });
        const byId = new Map(created.map((b) => [b.id, b]));
        const listed = [...first.books, ...rest.books];
        expect(listed.map((b) => b.id)).toEqual([...created].sort(listOrder).map((b) => b.id));
        expect(rest.next).toBeNull();
        for (const book of listed) expect(book).toEqual(byId.get(book.id));
      });

      it('matches owners exactly: no prefix, case or accent folding', async () => {
        await createAll([
          newBook({ createdById: 'user-1' }),
          newBook({ createdById: 'User-1' }),
          newBook({ createdById: 'user-10' }),
          newBook({ createdById: 'usér-1' }),
        ]);

        const page = await books.list({ limit: 10, createdById: 'user-1' });

        expect(page.books.map((b) => b.createdById)).toEqual(['user-1']);
      });

      it("keeps a book on its owner's list after an update", async () => {
        const book = await books.create(newBook({ createdById: 'ada' }));
        await books.update(book.id, { ...changesOf(book), title: 'Renamed', sortKey: sortKeyFor('Renamed') });

        const page = await books.list({ limit: 10, createdById: 'ada' });

        expect(page.books.map((b) => [b.id, b.title])).toEqual([[book.id, 'Renamed']]);
      });
    });
  });
}

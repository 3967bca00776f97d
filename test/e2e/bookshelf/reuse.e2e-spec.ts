import type { Kysely } from 'kysely';
import { SqlDatabase } from '../../../src/database/sql/sql-database';
import type { BooksTables } from '../../../src/books/persistence/sql/sql-books.tables';
import { type InProcessApp, startInProcessApp } from '../../helpers/in-process-app';
import { WebClient } from '../../helpers/web-client';
import { BooksService } from '../../../src/books/books.service';
import { SESSION_COOKIE } from '../../../src/sessions/session-cookie';
import { UserSessions } from '../../../src/sessions/user-sessions';
import { addBook, titlesOn } from './support';

/**
 * What is kept while the change stamp stands still (docs/architecture.md section 3, "Change stamp"): the
 * anonymous book and list pages, and what signed-in pages read. Seen from outside through the one write
 * that does not move the stamp, a hand edit of the `books` table, which the contract says to follow with
 * `update book_changes set n = n + 1`. SQLite: the stamp is the same counter on every SQL engine.
 */
describe('Bookshelf in-process: pages and reads kept under the change stamp', () => {
  let app: InProcessApp;
  let ada: WebClient;
  let bob: WebClient;
  let db: Kysely<BooksTables>;

  beforeAll(async () => {
    app = await startInProcessApp();
    ada = new WebClient(app.baseUrl);
    bob = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada Lovelace');
    await bob.signIn('bob@example.com', 'Bob');
    db = app.nest.get(SqlDatabase).tables<BooksTables>();
  });
  afterAll(() => app?.close());

  it('serves every kind of page what it kept until the stamp moves, then the edit at once', async () => {
    const id = await addBook(ada, { title: 'Kept as written' });
    const visitor = new WebClient(app.baseUrl);
    const pages = {
      anonymousBook: () => visitor.get(`/books/${id}`),
      ownerBook: () => ada.get(`/books/${id}`),
      signedInList: async () => titlesOn(await bob.get('/books')).join('|'),
      myBooks: async () => titlesOn(await ada.get('/books/mine')).join('|'),
      anonymousList: async () => titlesOn(await visitor.get('/books')).join('|'),
    };
    const seen = async () => ({
      anonymousBook: (await pages.anonymousBook()).html.querySelector('h1')?.text,
      ownerBook: (await pages.ownerBook()).html.querySelector('h1')?.text,
      signedInList: await pages.signedInList(),
      myBooks: await pages.myBooks(),
      anonymousList: await pages.anonymousList(),
    });
    // Seen twice, so that every page or read is kept.
    await seen();
    const before = await seen();
    expect(before.anonymousBook).toBe('Kept as written');
    expect(before.myBooks).toContain('Kept as written');

    await db.updateTable('books').set({ title: 'Edited by hand' }).where('id', '=', Number(id)).execute();
    await expect(seen()).resolves.toEqual(before);

    await db
      .updateTable('book_changes')
      .set((eb) => ({ n: eb('n', '+', 1) }))
      .execute();
    const after = await seen();
    expect(after.anonymousBook).toBe('Edited by hand');
    expect(after.ownerBook).toBe('Edited by hand');
    for (const list of [after.signedInList, after.myBooks, after.anonymousList]) {
      expect(list).toContain('Edited by hand');
      expect(list).not.toContain('Kept as written');
    }
  });

  it("fills a kept signed-in page with each viewer's own name and token, and stops serving it at once to an ended session", async () => {
    const carol = new WebClient(app.baseUrl);
    await carol.signIn('carol@example.com', 'Carol');
    const books = app.nest.get(BooksService);
    const list = jest.spyOn(books, 'list');
    const get = jest.spyOn(books, 'get');
    try {
      // A write first, so that nothing kept before counts; its "Added" message goes with the next page of Ada's.
      const id = await addBook(ada, { title: 'Watched' });
      await ada.get('/books/add');
      list.mockClear();
      get.mockClear();
      // Rendered once for the first viewer; then the same kept page for everyone signed in, filled for each.
      for (const client of [ada, bob, carol, bob]) await client.get('/books');
      expect(list).toHaveBeenCalledTimes(1);
      list.mockClear();
      for (const client of [ada, ada, bob, carol, bob]) await client.get(`/books/${id}`);
      for (const client of [ada, ada, bob, bob]) await client.get('/books/mine');
      // One rendering for the owner, one for everyone else; My Books once for each person.
      expect(get).toHaveBeenCalledTimes(2);
      expect(list).toHaveBeenCalledTimes(2);
    } finally {
      list.mockRestore();
      get.mockRestore();
    }
    const kept = await bob.get('/books');
    expect(kept.html.querySelector('nav .user-name')?.text).toBe('Bob');
    expect(kept.body).not.toContain('Ada Lovelace');
    expect(carol.csrfToken()).not.toBe(bob.csrfToken(kept));
    // Bob's token from the kept page is his: his form is accepted with it.
    const added = await bob.post('/books/add', {
      title: 'Bob adds from a kept page',
      author: '',
      publishedDate: '',
      description: '',
      _csrf: bob.csrfToken(kept),
    });
    expect(added.status).toBe(303);

    await carol.get('/books/mine');
    expect((await carol.get('/books/mine', { follow: false })).status).toBe(200);
    const cookie = decodeURIComponent(carol.cookie(SESSION_COOKIE)!);
    const sessionId = cookie.slice(2, cookie.lastIndexOf('.'));
    await app.nest.get(UserSessions).end([sessionId]);
    expect((await carol.get('/books/mine', { follow: false })).status).toBe(302);
    expect((await carol.get('/books')).html.querySelector('nav .nav-login')?.text).toBe('Login');
  });
});

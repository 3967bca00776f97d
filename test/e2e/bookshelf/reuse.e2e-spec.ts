import type { Kysely } from 'kysely';
import { SqlDatabase } from '../../../src/database/sql/sql-database';
import type { BooksTables } from '../../../src/books/persistence/sql/sql-books.tables';
import { type InProcessApp, startInProcessApp } from '../../helpers/in-process-app';
import { WebClient } from '../../helpers/web-client';
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
});

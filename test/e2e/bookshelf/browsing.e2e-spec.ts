import { describeOnEveryBackend } from '../../helpers/backends';
import { WebClient } from '../../helpers/web-client';
import { addBook, withBookshelf, type TestApp, titlesOn } from './support';

/** Lists, My Books, paging and unknown ids, in-process, on every backend. */
describeOnEveryBackend('Bookshelf in-process: browsing and paging', (backend) => {
  let app: TestApp;
  let ada: WebClient;
  let bob: WebClient;

  withBookshelf('in-process', backend, (started) => ({ app, ada, bob } = started));

  describe('books', () => {
    it('shows anonymous visitors every add, edit and delete at once, on a list page they have seen', async () => {
      const visitor = new WebClient(app.baseUrl);
      // Seen twice, so that a rendered page 1 is kept; '!' orders before every letter and digit.
      for (let i = 0; i < 2; i++) expect(titlesOn(await visitor.get('/books'))).not.toContain('!Fresh on page one');

      const id = await addBook(ada, { title: '!Fresh on page one', author: '', publishedDate: '', description: '' });
      expect(titlesOn(await visitor.get('/books'))[0]).toBe('!Fresh on page one');

      const form = await ada.get(`/books/${id}/edit`);
      const edited = await ada.post(`/books/${id}/edit`, {
        _csrf: ada.csrfToken(form),
        title: '!Renamed on page one',
        author: '',
        publishedDate: '',
        description: '',
      });
      expect(edited.status).toBe(303);
      expect(titlesOn(await visitor.get('/books'))[0]).toBe('!Renamed on page one');

      const confirm = await ada.get(`/books/${id}/delete`);
      expect((await ada.post(`/books/${id}/delete`, { _csrf: ada.csrfToken(confirm) })).status).toBe(303);
      expect(titlesOn(await visitor.get('/books'))).not.toContain('!Renamed on page one');
    });

    it('lists only the signed-in person’s books under My Books', async () => {
      await addBook(ada, { title: 'Ada only one' });
      await addBook(bob, { title: 'Bob only one' });
      const adas = titlesOn(await ada.get('/books/mine'));
      const bobs = titlesOn(await bob.get('/books/mine'));
      expect(adas).toContain('Ada only one');
      expect(adas).not.toContain('Bob only one');
      expect(bobs).toContain('Bob only one');
      expect(bobs).not.toContain('Ada only one');
    });

    it('answers 404 for unknown and malformed ids', async () => {
      for (const id of ['999999999', 'not-an-id', '0', '-1', '1.5', '%00', 'ffffffffffffffffffffffff', '1'.repeat(40)]) {
        expect([id, (await ada.get(`/books/${id}`)).status]).toEqual([id, 404]);
        expect([id, (await ada.get(`/books/${id}/edit`)).status]).toEqual([id, 404]);
        expect([id, (await ada.post(`/books/${id}/delete`, { _csrf: ada.csrfToken() })).status]).toEqual([id, 404]);
      }
      const notFound = await ada.get('/books/not-an-id');
      expect(notFound.html.querySelector('a[href="/books"]')).not.toBeNull();
    });

    it('answers 400 for a malformed or edited page_token', async () => {
      expect((await ada.get('/books?page_token=garbage')).status).toBe(400);
      expect((await ada.get('/books/mine?page_token=a.b')).status).toBe(400);
      expect((await ada.get('/books?page_token=x&page_token=y')).status).toBe(400);
    });

    it('pages through 25 books ten at a time, visiting each exactly once in title order', async () => {
      const paging = new WebClient(app.baseUrl);
      await paging.signIn('pager@example.com', 'Pager');
      const titles = Array.from({ length: 25 }, (_, i) => `Paged ${String.fromCharCode(65 + (i % 5))} ${i % 3}`);
      for (const title of titles) await addBook(paging, { title });
      const seen: string[] = [];
      const pages: number[] = [];
      let path: string | undefined = '/books/mine';
      while (path) {
        const page = await paging.get(path);
        expect(page.status).toBe(200);
        const found = titlesOn(page);
        pages.push(found.length);
        seen.push(...found);
        path = page.html.querySelector('a[rel="next"]')?.getAttribute('href');
        // "More", said in full for search engines and screen readers ("More" alone is not a link text).
        if (path) expect(page.html.querySelector('a[rel="next"]')?.text).toBe('More books');
        // Where you are (the number travels in the page token), and the way back to the first page.
        expect(page.html.querySelector('.page-number')?.text).toBe(`Page ${pages.length}`);
        const first = page.html.querySelector('a.first-page')?.getAttribute('href');
        expect(first).toBe(pages.length === 1 ? undefined : '/books/mine');
      }
      expect(pages).toEqual([10, 10, 5]);
      expect(seen).toEqual([...titles].sort());
      const ids = new Set<string>();
      // Ties in title are told apart by id: every book once.
      let next: string | undefined = '/books/mine';
      while (next) {
        const page = await paging.get(next);
        for (const a of page.html.querySelectorAll('.book-list a.book-link')) ids.add(a.getAttribute('href')!);
        next = page.html.querySelector('a[rel="next"]')?.getAttribute('href');
      }
      expect(ids.size).toBe(25);
    });

    it('says No books found on an empty list, without a More link', async () => {
      const newcomer = new WebClient(app.baseUrl);
      await newcomer.signIn('newcomer@example.com', 'Newcomer');
      const page = await newcomer.get('/books/mine');
      expect(page.body).toContain('No books found');
      expect(page.html.querySelector('a[rel="next"]')).toBeNull();
    });
  });
});

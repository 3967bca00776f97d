import { describeOnEveryBackend } from '../../helpers/backends';
import { type Page, WebClient } from '../../helpers/web-client';
import { addBook, startBookshelf, type TestApp, titlesOn, XSS } from './support';

/** Search from the navbar on /books and /books/mine, in-process, on every backend. */
describeOnEveryBackend('Bookshelf in-process: searching', (backend) => {
  let app: TestApp;
  let ada: WebClient;
  let bob: WebClient;
  let visitor: WebClient;

  beforeAll(async () => {
    ({ app, ada, bob } = await startBookshelf('in-process', backend.env));
    visitor = new WebClient(app.baseUrl);
    await addBook(ada, { title: 'The Lord of the Rings', author: 'J. R. R. Tolkien' });
    await addBook(ada, { title: 'The Hobbit', author: 'J. R. R. Tolkien' });
    await addBook(bob, { title: "L'Étranger", author: 'Albert Camus' });
    await addBook(bob, { title: 'Lord Jim', author: 'Joseph Conrad' });
  });
  afterAll(async () => {
    await app?.close();
  });

  function nextLink(page: Page): string | undefined {
    return page.html.querySelector('a[rel="next"]')?.getAttribute('href');
  }

  it('has a labelled search box in the navbar of every page, a plain GET form', async () => {
    for (const [client, path] of [
      [visitor, '/books'],
      [ada, '/books/mine'],
      [ada, '/books/add'],
      [visitor, '/books/not-a-book'],
    ] as const) {
      const page = await client.get(path);
      const form = page.html.querySelector('nav form[role="search"]');
      expect([path, form?.getAttribute('method'), form?.querySelector('input[name="q"]')?.getAttribute('id')]).toEqual([
        path,
        'get',
        'search-q',
      ]);
      expect(page.html.querySelector('label[for="search-q"]')?.text).toBe('Search books');
    }
    const mine = await ada.get('/books/mine');
    expect(mine.html.querySelector('nav form[role="search"]')?.getAttribute('action')).toBe('/books/mine');
    expect((await visitor.get('/books')).html.querySelector('nav form[role="search"]')?.getAttribute('action')).toBe('/books');
  });

  it('finds books by the start of title and author words, ignoring case and accents, and says what was searched', async () => {
    const page = await visitor.get('/books?q=tolk+LORD');
    expect(page.status).toBe(200);
    expect(titlesOn(page)).toEqual(['The Lord of the Rings']);
    expect(page.html.querySelector('.search-query')?.text).toBe('tolk LORD');
    expect(page.html.querySelector('a.clear-search')?.getAttribute('href')).toBe('/books');
    expect(page.html.querySelector('#search-q')?.getAttribute('value')).toBe('tolk LORD');

    expect(titlesOn(await visitor.get('/books?q=%C3%A9tr'))).toEqual(["L'Étranger"]);
    expect(titlesOn(await visitor.get('/books?q=lord'))).toEqual(['Lord Jim', 'The Lord of the Rings']);
    // An empty query is the plain list.
    const blank = await visitor.get('/books?q=+');
    expect(titlesOn(blank)).toEqual(titlesOn(await visitor.get('/books')));
    expect(blank.html.querySelector('.search-summary')).toBeNull();
  });

  it('says No books found with a link back to all books, and escapes the query', async () => {
    const page = await visitor.get(`/books?q=${encodeURIComponent(XSS)}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('No books found');
    expect(page.html.querySelector('a.all-books')?.getAttribute('href')).toBe('/books');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.html.querySelector('.search-query')?.text).toBe(XSS);
  });

  it("searches only the signed-in person's books under My Books", async () => {
    expect(titlesOn(await ada.get('/books/mine?q=lord'))).toEqual(['The Lord of the Rings']);
    expect(titlesOn(await bob.get('/books/mine?q=lord'))).toEqual(['Lord Jim']);
    const anonymous = await visitor.get('/books/mine?q=lord', { follow: false });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get('location')).toMatch(/^\/oauth2authorize\?return_url=/);
  });

  it('pages through results with the query in the link, and refuses a token of another query or of the plain list', async () => {
    const pager = new WebClient(app.baseUrl);
    await pager.signIn('searcher@example.com', 'Searcher');
    const titles = Array.from({ length: 23 }, (_, i) => `Zephyr ${String(i).padStart(2, '0')}`);
    for (const title of titles) await addBook(pager, { title, author: 'Windy' });
    await addBook(pager, { title: 'Zephyrus alone', author: 'Other' });

    const seen: string[] = [];
    let path: string | undefined = '/books?q=zephyr+windy';
    const links: string[] = [];
    while (path) {
      const page = await visitor.get(path);
      expect(page.status).toBe(200);
      seen.push(...titlesOn(page));
      path = nextLink(page);
      if (path) links.push(path);
    }
    expect(seen).toEqual(titles);
    expect(links).toHaveLength(2);
    expect(links[0]).toMatch(/^\/books\?q=zephyr\+windy&page_token=[A-Za-z0-9_.-]+$/);

    const token = new URL(links[0], app.baseUrl).searchParams.get('page_token')!;
    expect((await visitor.get(`/books?q=zephyr+windy&page_token=${token}`)).status).toBe(200);
    // The same words however typed share the token; other words, or none, do not.
    expect((await visitor.get(`/books?q=ZEPHYR++Windy&page_token=${token}`)).status).toBe(200);
    expect((await visitor.get(`/books?q=zephyr&page_token=${token}`)).status).toBe(400);
    expect((await visitor.get(`/books?page_token=${token}`)).status).toBe(400);
    expect((await pager.get(`/books/mine?q=zephyr+windy&page_token=${token}`)).status).toBe(400);
    expect((await visitor.get('/books?q=a&q=b')).status).toBe(400);
  });

  it('finds a book by its new title as soon as the edit returns, and no longer after it is deleted', async () => {
    const id = await addBook(ada, { title: 'Quixotic draft', author: 'Ada' });
    expect(titlesOn(await visitor.get('/books?q=quix'))).toEqual(['Quixotic draft']);

    const form = await ada.get(`/books/${id}/edit`);
    const edited = await ada.post(`/books/${id}/edit`, {
      _csrf: ada.csrfToken(form),
      title: 'Vivid final',
      author: 'Ada',
      publishedDate: '',
      description: '',
    });
    expect(edited.status).toBe(303);
    expect(titlesOn(await visitor.get('/books?q=quix'))).toEqual([]);
    expect(titlesOn(await visitor.get('/books?q=vivid+ada'))).toEqual(['Vivid final']);

    const confirm = await ada.get(`/books/${id}/delete`);
    expect((await ada.post(`/books/${id}/delete`, { _csrf: ada.csrfToken(confirm) })).status).toBe(303);
    expect(titlesOn(await visitor.get('/books?q=vivid'))).toEqual([]);
  });
});

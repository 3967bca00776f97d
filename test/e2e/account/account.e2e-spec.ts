import { randomBytes } from 'node:crypto';
import { Store, type SessionData } from 'express-session';
import { BooksRepository } from '../../../src/books/books.repository';
import { sortKeyFor } from '../../../src/books/book';
import { SESSION_COOKIE } from '../../../src/sessions/session-cookie';
import { ImageStorage } from '../../../src/storage/image-storage';
import { describeOnEveryBackend } from '../../helpers/backends';
import { pngCover } from '../../helpers/images';
import { type InProcessApp, startInProcessApp } from '../../helpers/in-process-app';
import { REDIS_URL, redisUnavailable } from '../../helpers/sql-servers';
import { describeWhen } from '../../helpers/skip-or-fail';
import { type Page, WebClient } from '../../helpers/web-client';
import { addBook } from '../bookshelf/support';

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0';
const SAFARI_ON_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const CHROME_ON_ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36';

interface Person {
  laptop: WebClient;
  phone: WebClient;
}

async function signedIn(app: InProcessApp, email: string, name: string, agent: string): Promise<WebClient> {
  const client = new WebClient(app.baseUrl, { 'user-agent': agent });
  await client.signIn(email, name);
  return client;
}

async function person(app: InProcessApp, email: string, name: string): Promise<Person> {
  return { laptop: await signedIn(app, email, name, FIREFOX_ON_WINDOWS), phone: await signedIn(app, email, name, SAFARI_ON_IPHONE) };
}

function sessionRows(page: Page): { text: string; handle: string; current: boolean }[] {
  return page.html.querySelectorAll('table.sessions tbody tr').map((row) => ({
    text: row.querySelector('td')!.text.replace(/\s+/g, ' ').trim(),
    handle: /\/account\/sessions\/([^/]+)\/end/.exec(row.querySelector('form')!.getAttribute('action')!)![1],
    current: row.classNames.includes('current'),
  }));
}

/** Whether the client is still signed in: My Books answers, or sends it to sign in. */
async function isSignedIn(client: WebClient): Promise<boolean> {
  const page = await client.get('/books/mine', { follow: false });
  return page.status === 200;
}

/** The stored session behind a client's cookie, through the app's own store (to age its sign-in). */
function sessionIdOf(client: WebClient): string {
  const value = decodeURIComponent(client.cookie(SESSION_COOKIE)!);
  return value.slice(2, value.lastIndexOf('.'));
}

async function ageSignIn(app: InProcessApp, client: WebClient, minutes: number): Promise<void> {
  const store = app.nest.get(Store);
  const id = sessionIdOf(client);
  const data = await new Promise<SessionData>((resolve, reject) =>
    store.get(id, (e, s) => (e || !s ? reject(e ?? new Error('no session')) : resolve(s))),
  );
  data.signedInAt = Date.now() - minutes * 60_000;
  await new Promise<void>((resolve, reject) => store.set(id, data, (e) => (e ? reject(e) : resolve())));
}

async function deleteAccount(client: WebClient): Promise<Page> {
  const confirm = await client.get('/account/delete');
  return client.post('/account/delete', { _csrf: client.csrfToken(confirm) });
}

function describeAccount(name: string, extraEnv: () => Record<string, string>): void {
  describe(name, () => {
    // Fresh people per suite: the provider derives the user id from the email, and a shared Redis keeps
    // sessions from earlier runs and other suites.
    const run = randomBytes(4).toString('hex');
    const email = (local: string) => `${local}-${run}@example.com`;
    let app: InProcessApp;
    let ada: Person;
    let bob: Person;

    beforeAll(async () => {
      app = await startInProcessApp(extraEnv());
      ada = await person(app, email('ada'), 'Ada Lovelace');
      bob = await person(app, email('bob'), 'Bob');
    });

    afterAll(async () => {
      await app?.close();
    });

    it('sends anonymous visitors to sign in, coming back to /account', async () => {
      const page = await new WebClient(app.baseUrl).get('/account', { follow: false });
      expect(page.status).toBe(302);
      expect(page.headers.get('location')).toBe('/oauth2authorize?return_url=%2Faccount');
    });

    it('links the name in the navbar to the account page', async () => {
      const page = await ada.laptop.get('/books');
      expect(page.html.querySelector('nav a.user-name')?.getAttribute('href')).toBe('/account');
    });

    it('shows name, email, books added, and one row per session of yours with browser, system and This device', async () => {
      await addBook(ada.laptop, { title: 'Ada’s first' });
      const page = await ada.laptop.get('/account');
      expect(page.status).toBe(200);
      expect(page.html.querySelector('.account-name')?.text).toBe('Ada Lovelace');
      expect(page.html.querySelector('.account-email')?.text).toBe(email('ada'));
      expect(page.html.querySelector('.book-count')?.text).toBe('1 book added');
      const rows = sessionRows(page);
      expect(rows.map((r) => r.text).sort()).toEqual(['Firefox 120 on Windows 10 This device', 'Mobile Safari 17 on iOS 17.1']);
      expect(rows.filter((r) => r.current)).toHaveLength(1);
      expect(page.html.querySelectorAll('table.sessions time').length).toBe(4);
      expect(page.body).toContain('href="/account/export.json"');
      expect(page.body).toContain('href="/account/delete"');
    });

    it('ends one session of yours on every instance, by an opaque handle; others’ handles and unknown ones are 404', async () => {
      const extra = await signedIn(app, email('ada'), 'Ada Lovelace', CHROME_ON_ANDROID);
      const page = await ada.laptop.get('/account');
      const chrome = sessionRows(page).find((r) => r.text.startsWith('Chrome'))!;
      expect(chrome.handle).not.toContain(sessionIdOf(extra));

      const bobsHandle = sessionRows(await bob.laptop.get('/account')).find((r) => r.current)!.handle;
      expect((await ada.laptop.post(`/account/sessions/${bobsHandle}/end`, { _csrf: ada.laptop.csrfToken(page) })).status).toBe(404);
      expect((await ada.laptop.post('/account/sessions/not-a-handle/end', { _csrf: ada.laptop.csrfToken(page) })).status).toBe(404);
      expect((await ada.laptop.post(`/account/sessions/${chrome.handle}/end`, {})).status).toBe(403);
      expect(await isSignedIn(bob.laptop)).toBe(true);
      expect(await isSignedIn(extra)).toBe(true);

      const ended = await ada.laptop.post(`/account/sessions/${chrome.handle}/end`, { _csrf: ada.laptop.csrfToken(page) });
      expect(ended.status).toBe(303);
      expect(ended.headers.get('location')).toBe('/account');
      expect(await isSignedIn(extra)).toBe(false);
      expect(ada.laptop.cookie('bookshelf.choose-account')).toBeUndefined();
      expect(await isSignedIn(ada.laptop)).toBe(true);
      expect(await isSignedIn(ada.phone)).toBe(true);
    });

    it('ends every other session of yours, keeping this one and everyone else’s', async () => {
      const tablet = await signedIn(app, email('ada'), 'Ada Lovelace', CHROME_ON_ANDROID);
      const page = await ada.phone.get('/account');
      const response = await ada.phone.post('/account/sessions/end-others', { _csrf: ada.phone.csrfToken(page) });
      expect(response.status).toBe(303);
      expect([await isSignedIn(ada.phone), await isSignedIn(ada.laptop), await isSignedIn(tablet)]).toEqual([true, false, false]);
      expect([await isSignedIn(bob.laptop), await isSignedIn(bob.phone)]).toEqual([true, true]);
      expect(sessionRows(await ada.phone.get('/account')).map((r) => r.current)).toEqual([true]);
      ada.laptop = await signedIn(app, email('ada'), 'Ada Lovelace', FIREFOX_ON_WINDOWS);
    });

    it('exports your books, and only yours, as a JSON attachment in list order', async () => {
      await addBook(
        ada.laptop,
        { title: 'banana', author: 'B', publishedDate: '1999', description: 'Line one\nline two' },
        await pngCover(),
      );
      await addBook(ada.laptop, { title: 'Apple' });
      await addBook(bob.laptop, { title: 'Bob’s own' });
      const response = await fetch(`${app.baseUrl}/account/export.json`, {
        headers: { cookie: `${SESSION_COOKIE}=${ada.laptop.cookie(SESSION_COOKIE)}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="bookshelf-books\.json"/);
      const exported = (await response.json()) as { user: object; exportedAt: string; books: Record<string, unknown>[] };
      expect(exported.user).toEqual({ id: expect.any(String), name: 'Ada Lovelace', email: email('ada') });
      expect(Date.parse(exported.exportedAt)).toBeGreaterThan(Date.now() - 60_000);
      expect(exported.books.map((b) => b.title)).toEqual(['Ada’s first', 'Apple', 'banana']);
      const banana = exported.books[2];
      expect(Object.keys(banana).sort()).toEqual([
        'author',
        'coverUrl',
        'createdAt',
        'description',
        'id',
        'publishedDate',
        'title',
        'updatedAt',
      ]);
      expect(banana).toMatchObject({ author: 'B', publishedDate: '1999', description: 'Line one\nline two' });
      expect(String(banana.coverUrl)).toMatch(/^http:\/\/localhost:\d+\/covers\//);
      expect((await fetch(String(banana.coverUrl))).status).toBe(200);
      expect(exported.books[1].coverUrl).toBeNull();
    });

    it('exports the same books as CSV, with formulas defused', async () => {
      await addBook(ada.laptop, { title: '=HYPERLINK("http://evil.example")' });
      const page = await ada.laptop.get('/account/export.csv');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
      expect(page.headers.get('content-disposition')).toMatch(/^attachment; filename="bookshelf-books\.csv"/);
      const lines = page.body.split('\r\n');
      expect(lines[0]).toBe('Title,Author,Published Date,Description,Date Added,Cover URL,Book URL');
      expect(lines).toContainEqual(expect.stringMatching(/^"'=HYPERLINK\(""http:\/\/evil\.example""\)",/));
      expect(lines).toContainEqual(expect.stringMatching(/^"Ada’s first",|^Ada’s first,/));
      expect(page.body).not.toContain('Bob’s own');
      expect(page.body).toMatch(/,http:\/\/localhost:\d+\/books\/[^,]+\r\n/);
    });

    it('exports nothing but the header and the user for someone with no books', async () => {
      const carol = await signedIn(app, email('carol'), 'Carol', FIREFOX_ON_WINDOWS);
      expect((await carol.get('/account/export.csv')).body).toBe(
        'Title,Author,Published Date,Description,Date Added,Cover URL,Book URL\r\n',
      );
      expect((JSON.parse((await carol.get('/account/export.json')).body) as { books: unknown[] }).books).toEqual([]);
    });

    it('says exactly what deleting will remove, and changes nothing by showing it', async () => {
      const page = await ada.laptop.get('/account/delete');
      expect(page.status).toBe(200);
      expect(page.html.querySelector('li.books')?.text).toBe('4 books you added');
      expect(page.html.querySelector('li.covers')?.text).toBe('1 cover image');
      expect(page.html.querySelector('li.sessions')?.text).toMatch(/^2 sessions,/);
      expect(page.html.querySelector('li.tokens')?.text).toBe('0 access tokens for the API');
      expect(page.html.querySelector('form[action="/account/delete"] button')?.text).toBe('Delete my account');
      expect((await ada.laptop.get('/account')).html.querySelector('.book-count')?.text).toBe('4 books added');
    });

    it('asks for a fresh sign-in (prompt=login at the provider) when yours is older than 10 minutes, deleting nothing', async () => {
      await ageSignIn(app, ada.laptop, 11);
      const refused = await deleteAccount(ada.laptop);
      expect(refused.status).toBe(303);
      expect(refused.headers.get('location')).toBe('/oauth2authorize?return_url=%2Faccount%2Fdelete&reauth=1');
      expect((await ada.laptop.get('/account')).html.querySelector('.book-count')?.text).toBe('4 books added');

      // The provider still has Ada's session, yet asks her to sign in again.
      const login = await ada.laptop.get(refused.headers.get('location')!);
      expect(login.html.querySelector('input[name="email"]')).not.toBeNull();
      let back = await ada.laptop.submit(login, 'form', { email: email('ada'), name: 'Ada Lovelace' });
      if (back.url.includes('/interaction/')) back = await ada.laptop.submit(back, 'form');
      expect(new URL(back.url).pathname).toBe('/account/delete');
    });

    it('deletes your books, their covers, your access tokens and every session of yours, and nothing of anyone else', async () => {
      const tokens = await ada.laptop.get('/account/tokens');
      const created = await ada.laptop.post('/account/tokens', {
        _csrf: ada.laptop.csrfToken(tokens),
        name: 'script',
        scopes: 'books:read',
        expiresInDays: '30',
      });
      const secret = created.html.querySelector('#new-token')?.getAttribute('value') ?? '';
      expect(secret).toMatch(/^bks_/);
      const api = () => fetch(`${app.baseUrl}/api/v1/books?mine=true`, { headers: { authorization: `Bearer ${secret}` } });
      expect((await api()).status).toBe(200);
      const exported = JSON.parse((await ada.laptop.get('/account/export.json')).body) as {
        books: { id: string; coverUrl: string | null }[];
      };
      const cover = exported.books.find((b) => b.coverUrl)!.coverUrl!;
      const anonymous = new WebClient(app.baseUrl);
      expect((await anonymous.get('/books')).body).toContain('Apple');

      const deleted = await deleteAccount(ada.laptop);
      expect(deleted.status).toBe(303);
      expect(deleted.headers.get('location')).toBe('/books?notice=account-deleted');
      // Signed out here: the next sign-in from this browser lets the person choose an account.
      expect(ada.laptop.cookie('bookshelf.choose-account')).toBe('1');

      const list = await anonymous.get('/books');
      expect(list.body).not.toContain('Apple');
      expect(list.body).toContain('Bob’s own');
      for (const book of exported.books) expect((await anonymous.get(`/books/${book.id}`)).status).toBe(404);
      expect((await fetch(cover)).status).toBe(404);
      expect([await isSignedIn(ada.laptop), await isSignedIn(ada.phone)]).toEqual([false, false]);
      expect([await isSignedIn(bob.laptop), await isSignedIn(bob.phone)]).toEqual([true, true]);
      expect(sessionRows(await bob.laptop.get('/account'))).toHaveLength(2);
      const page = await ada.laptop.get(deleted.headers.get('location')!);
      expect(page.body).toContain('Your account is deleted');
      expect((await api()).status).toBe(401);
    });

    it('finishes a deletion that storage interrupted between books, when tried again', async () => {
      const dan = await signedIn(app, email('dan'), 'Dan', FIREFOX_ON_WINDOWS);
      for (const title of ['one', 'two', 'three']) await addBook(dan, { title }, await pngCover());
      const storage = app.nest.get(ImageStorage);
      const realDelete = storage.delete.bind(storage);
      let calls = 0;
      // The second book's cover cannot be deleted: the storage fails after the first book is gone.
      const spy = jest.spyOn(storage, 'delete').mockImplementation(async (key: string) => {
        if (++calls > 2) throw new Error('storage unavailable (injected)');
        return realDelete(key);
      });
      try {
        const interrupted = await deleteAccount(dan);
        expect(interrupted.status).toBe(503);
        expect(interrupted.body).toContain('try again');
        expect((await dan.get('/books/mine')).html.querySelectorAll('.book-list h2').map((h) => h.text)).toEqual(['three', 'two']);
      } finally {
        spy.mockRestore();
      }
      const again = await deleteAccount(dan);
      expect(again.status).toBe(303);
      const remaining = await app.nest
        .get(BooksRepository)
        .list({ createdById: sessionUserIdOf(exportUser(await bob.laptop.get('/account/export.json'))), limit: 10 });
      expect(remaining.books.map((b) => b.title)).toEqual(['Bob’s own']);
    });
  });
}

function exportUser(page: Page): { id: string } {
  return (JSON.parse(page.body) as { user: { id: string } }).user;
}

function sessionUserIdOf(user: { id: string }): string {
  return user.id;
}

describeOnEveryBackend('Your account', (backend) => describeAccount('on the backend’s own session store', () => backend.env));

describeWhen(redisUnavailable())('Redis sessions', () => {
  describeOnEveryBackend('Your account', (backend) =>
    describeAccount('with sessions in Redis', () => ({ ...backend.env, SESSION_STORE: 'redis', REDIS_URL })),
  );
});

describe('Your account with 10,000 books (SQLite)', () => {
  let app: InProcessApp;

  beforeAll(async () => {
    // Seeding 10,000 books keeps this process busy for seconds without a request: a keep-alive connection
    // the server let go of meanwhile would be reused by the client as it closes (ECONNRESET).
    app = await startInProcessApp({ HTTP_KEEP_ALIVE_TIMEOUT: '600' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('exports and deletes them all', async () => {
    const erin = await signedIn(app, 'erin@example.com', 'Erin', FIREFOX_ON_WINDOWS);
    const id = exportUser(await erin.get('/account/export.json')).id;
    const books = app.nest.get(BooksRepository);
    for (let i = 0; i < 10_000; i++) {
      const title = `Book ${String(i).padStart(5, '0')}`;
      await books.create({
        title,
        author: '',
        publishedDate: '',
        description: '',
        imageKey: null,
        thumbnailKey: null,
        createdById: id,
        createdBy: 'Erin',
        sortKey: sortKeyFor(title),
      });
    }
    let started = Date.now();
    const exported = JSON.parse((await erin.get('/account/export.json')).body) as { books: { title: string }[] };
    const exportMs = Date.now() - started;
    expect(exported.books).toHaveLength(10_000);
    expect(exported.books[9_999].title).toBe('Book 09999');
    started = Date.now();
    expect((await deleteAccount(erin)).status).toBe(303);
    const deleteMs = Date.now() - started;
    expect((await books.list({ createdById: id, limit: 1 })).books).toEqual([]);
    console.info(`10,000 books on SQLite: JSON export ${exportMs} ms, account deletion ${deleteMs} ms`);
    // Seeding 10,000 books through the repository is most of this test's time (about 8 s on an idle machine).
  }, 180_000);
});

import sharp from 'sharp';
import { startApp, type RunningApp } from '../helpers/app-process';
import { describeWhen, e2eBackends, type StartedBackend } from '../helpers/backends';
import { sendHeadOnly } from '../helpers/raw-http';
import { type Page, WebClient } from '../helpers/web-client';

export const XSS = `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`;

export async function pngCover(width = 60, height = 90): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
}

export function bookForm(client: WebClient, fields: Record<string, string>, cover?: { bytes: Buffer; name: string; type: string }): FormData {
  const form = new FormData();
  form.set('_csrf', client.csrfToken());
  for (const [name, value] of Object.entries(fields)) form.set(name, value);
  if (cover) form.set('image', new Blob([new Uint8Array(cover.bytes)], { type: cover.type }), cover.name);
  return form;
}

/** The id in a `/books/{id}` Location header. */
export function bookIdOf(page: Page): string {
  const location = page.headers.get('location') ?? '';
  const match = /^\/books\/([^/]+)$/.exec(location);
  if (!match) throw new Error(`Expected a redirect to a book, got ${page.status} ${location}:\n${page.body.slice(0, 1500)}`);
  return decodeURIComponent(match[1]);
}

export function titlesOn(page: Page): string[] {
  return page.html.querySelectorAll('.book-list h4').map((h) => h.text);
}

/**
 * The HTTP end-to-end suite of the core issue, run against the real compiled app signing in through
 * the development identity provider, once per data backend.
 */
export function describeBookshelf(backendName: string): void {
  const candidate = e2eBackends().find((b) => b.name === backendName);
  if (!candidate) throw new Error(`No e2e backend named ${backendName}`);
  describeWhen(candidate.unavailable(), candidate)(`Bookshelf over HTTP on ${backendName}`, () => {
    let backend: StartedBackend | null;
    let app: RunningApp;
    let ada: WebClient;
    let bob: WebClient;

    beforeAll(async () => {
      backend = await candidate.start();
      if (!backend) throw new Error(`${backendName} did not start`);
      app = await startApp(backend.env);
      ada = new WebClient(app.baseUrl);
      bob = new WebClient(app.baseUrl);
      await ada.signIn('ada@example.com', 'Ada Lovelace');
      await bob.signIn('bob@example.com', 'Bob');
    });

    afterAll(async () => {
      await app?.stop();
      await backend?.stop();
    });

    async function addBook(client: WebClient, fields: Record<string, string>, cover?: Buffer): Promise<string> {
      await client.get('/books/add');
      const response = await client.post(
        '/books/add',
        bookForm(client, fields, cover ? { bytes: cover, name: 'cover.png', type: 'image/png' } : undefined),
      );
      return bookIdOf(response);
    }

    describe('basics', () => {
      it('redirects / to /books', async () => {
        const page = await new WebClient(app.baseUrl).get('/', { follow: false });
        expect(page.status).toBe(302);
        expect(page.headers.get('location')).toBe('/books');
      });

      it('reports liveness and readiness', async () => {
        expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
        const ready = await fetch(`${app.baseUrl}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toEqual({ status: 'ok' });
      });

      it('answers an unknown page with a 404 page that links home', async () => {
        const page = await new WebClient(app.baseUrl).get('/no/such/page');
        expect(page.status).toBe(404);
        expect(page.html.querySelector('a[href="/books"]')).not.toBeNull();
      });
    });

    describe('signing in', () => {
      it('sends an anonymous visitor of My Books to sign-in and brings them back there', async () => {
        const visitor = new WebClient(app.baseUrl);
        const first = await visitor.get('/books/mine', { follow: false });
        expect(first.status).toBe(302);
        expect(first.headers.get('location')).toBe('/oauth2authorize?return_url=%2Fbooks%2Fmine');
        const landed = await visitor.signIn('carol@example.com', 'Carol', '/books/mine');
        expect(landed.url).toBe(`${app.baseUrl}/books/mine`);
        expect(landed.body).toContain('My Books');
        expect(landed.body).toContain('Carol');
      });

      it('sends anonymous visitors of every signed-in page to sign-in, coming back to that page', async () => {
        const visitor = new WebClient(app.baseUrl);
        for (const path of ['/books/add', '/books/1/edit', '/books/1/delete']) {
          const page = await visitor.get(path, { follow: false });
          expect([path, page.status, page.headers.get('location')]).toEqual([path, 302, `/oauth2authorize?return_url=${encodeURIComponent(path)}`]);
        }
      });

      it('builds the callback URL from BASE_URL, never from request headers', async () => {
        const response = await fetch(`${app.baseUrl}/oauth2authorize`, {
          redirect: 'manual',
          headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
        });
        const url = new URL(response.headers.get('location')!);
        expect(url.searchParams.get('redirect_uri')).toBe(`${app.baseUrl}/oauth2callback`);
      });

      it('uses PKCE with S256 and a state, asking for openid email profile', async () => {
        const visitor = new WebClient(app.baseUrl);
        const start = await visitor.get('/oauth2authorize?return_url=%2Fbooks', { follow: false });
        expect(start.status).toBe(302);
        const url = new URL(start.headers.get('location')!);
        expect(url.searchParams.get('code_challenge_method')).toBe('S256');
        expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
        expect(url.searchParams.get('state')).toBeTruthy();
        expect(url.searchParams.get('scope')?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
        expect(url.searchParams.get('redirect_uri')).toBe(`${app.baseUrl}/oauth2callback`);
      });

      it('regenerates the session id at sign-in', async () => {
        const visitor = new WebClient(app.baseUrl);
        await visitor.get('/oauth2authorize?return_url=%2Fbooks', { follow: false });
        const before = visitor.cookie('bookshelf.sid');
        expect(before).toBeTruthy();
        await visitor.signIn('dave@example.com', 'Dave');
        expect(visitor.cookie('bookshelf.sid')).toBeTruthy();
        expect(visitor.cookie('bookshelf.sid')).not.toBe(before);
      });

      it.each([
        ['another host', 'https://evil.example/'],
        ['a protocol-relative URL', '//evil.example/x'],
        ['a backslash host', '/\\evil.example'],
        ['a javascript: URL', 'javascript:alert(1)'],
      ])('lands on /books when return_url is %s', async (_name, returnUrl) => {
        const visitor = new WebClient(app.baseUrl);
        const landed = await visitor.signIn('eve@example.com', 'Eve', returnUrl);
        expect(landed.url).toBe(`${app.baseUrl}/books`);
      });

      it('answers a sign-in cancelled at the provider with a message on /books, never a 500', async () => {
        const visitor = new WebClient(app.baseUrl);
        const start = await visitor.get('/oauth2authorize', { follow: false });
        const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
        const callback = await visitor.get(`/oauth2callback?error=access_denied&state=${state}`, { follow: false });
        expect(callback.status).toBe(303);
        expect(callback.headers.get('location')).toBe('/books');
        const books = await visitor.get('/books');
        expect(books.body).toContain('Sign-in did not complete');
        expect(books.body).toContain('Login');
      });

      it('refuses a stale or forged state with a redirect to /books', async () => {
        const visitor = new WebClient(app.baseUrl);
        await visitor.get('/oauth2authorize', { follow: false });
        const forged = await visitor.get('/oauth2callback?code=abc&state=forged', { follow: false });
        expect(forged.status).toBe(303);
        expect(forged.headers.get('location')).toBe('/books');
        const bare = await new WebClient(app.baseUrl).get('/oauth2callback', { follow: false });
        expect(bare.status).toBe(303);
        expect(bare.headers.get('location')).toBe('/books');
      });

      it('shows the navigation of a signed-in person', async () => {
        const page = await ada.get('/books');
        expect(page.body).toContain('My Books');
        expect(page.body).toContain('Ada Lovelace');
        expect(page.html.querySelector('nav img.avatar')).not.toBeNull();
        expect(page.html.querySelector('form[action="/logout"] button')?.text).toBe('Sign out');
      });

      it('shows a Login link back to the current page when signed out', async () => {
        const page = await new WebClient(app.baseUrl).get('/books');
        expect(page.html.querySelector('a[href="/oauth2authorize?return_url=%2Fbooks"]')?.text).toBe('Login');
        expect(page.body).not.toContain('My Books');
      });
    });

    describe('books', () => {
      it('adds, shows, edits and deletes a book for its owner', async () => {
        const id = await addBook(ada, { title: 'The Analytical Engine', author: 'Ada', publishedDate: '1843', description: 'Notes.' });
        const view = await ada.get(`/books/${id}`);
        expect(view.status).toBe(200);
        expect(view.body).toContain('The Analytical Engine');
        expect(view.body).toContain('By Ada');
        expect(view.body).toContain('1843');
        expect(view.body).toContain('Notes.');
        expect(view.body).toContain('Added by Ada Lovelace');
        expect(view.body).toContain('Edit book');
        expect(view.body).toContain('Delete book');

        const form = await ada.get(`/books/${id}/edit`);
        expect(form.html.querySelector('h1')?.text).toBe('Edit book');
        expect(form.html.querySelector('#title')?.getAttribute('value')).toBe('The Analytical Engine');
        const edited = await ada.post(`/books/${id}/edit`, { _csrf: ada.csrfToken(), title: 'Sketch of the Engine', author: '', publishedDate: '', description: '' });
        expect(edited.status).toBe(303);
        expect(edited.headers.get('location')).toBe(`/books/${id}`);
        const after = await ada.get(`/books/${id}`);
        expect(after.body).toContain('Sketch of the Engine');
        expect(after.body).toContain('By Unknown');

        const confirm = await ada.get(`/books/${id}/delete`);
        expect(confirm.status).toBe(200);
        expect((await ada.get(`/books/${id}`)).status).toBe(200);
        const deleted = await ada.post(`/books/${id}/delete`, { _csrf: ada.csrfToken(confirm) });
        expect(deleted.status).toBe(303);
        expect(deleted.headers.get('location')).toBe('/books/mine');
        expect((await ada.get(`/books/${id}`)).status).toBe(404);
      });

      it('shows anonymous visitors every add, edit and delete at once, on a list page they have seen', async () => {
        const visitor = new WebClient(app.baseUrl);
        // Seen twice, so that a rendered page 1 is kept; '!' orders before every letter and digit.
        for (let i = 0; i < 2; i++) expect(titlesOn(await visitor.get('/books'))).not.toContain('!Fresh on page one');

        const id = await addBook(ada, { title: '!Fresh on page one', author: '', publishedDate: '', description: '' });
        expect(titlesOn(await visitor.get('/books'))[0]).toBe('!Fresh on page one');

        const form = await ada.get(`/books/${id}/edit`);
        const edited = await ada.post(`/books/${id}/edit`, { _csrf: ada.csrfToken(form), title: '!Renamed on page one', author: '', publishedDate: '', description: '' });
        expect(edited.status).toBe(303);
        expect(titlesOn(await visitor.get('/books'))[0]).toBe('!Renamed on page one');

        const confirm = await ada.get(`/books/${id}/delete`);
        expect((await ada.post(`/books/${id}/delete`, { _csrf: ada.csrfToken(confirm) })).status).toBe(303);
        expect(titlesOn(await visitor.get('/books'))).not.toContain('!Renamed on page one');
      });

      it('ignores an owner sent in the form', async () => {
        const id = await addBook(ada, { title: 'Owned by Ada', createdById: 'bob', createdBy: 'Bob' });
        expect((await ada.get(`/books/${id}`)).body).toContain('Added by Ada Lovelace');
        expect((await bob.get(`/books/${id}`)).body).not.toContain('Edit book');
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

      it('refuses edits and deletes by someone else, leaving the book unchanged', async () => {
        const id = await addBook(ada, { title: 'Not for Bob', author: 'Ada' });
        const view = await bob.get(`/books/${id}`);
        expect(view.body).not.toContain('Edit book');
        expect(view.body).not.toContain('Delete book');
        expect((await bob.get(`/books/${id}/edit`)).status).toBe(403);
        expect((await bob.get(`/books/${id}/delete`)).status).toBe(403);
        const edit = await bob.post(`/books/${id}/edit`, { _csrf: bob.csrfToken(), title: 'Bob was here' });
        expect(edit.status).toBe(403);
        const del = await bob.post(`/books/${id}/delete`, { _csrf: bob.csrfToken() });
        expect(del.status).toBe(403);
        const after = await ada.get(`/books/${id}`);
        expect(after.status).toBe(200);
        expect(after.body).toContain('Not for Bob');
        expect(after.body).not.toContain('Bob was here');
      });

      it('shows a form with the entered values and a message at the field when it is invalid (422)', async () => {
        await ada.get('/books/add');
        const page = await ada.post('/books/add', { _csrf: ada.csrfToken(), title: '  ', author: 'Kept Author', description: 'Kept text' });
        expect(page.status).toBe(422);
        expect(page.html.querySelector('h1')?.text).toBe('Add book');
        expect(page.html.querySelector('#title-error')?.text).toBe('Title is required.');
        expect(page.html.querySelector('#title')?.getAttribute('aria-describedby')).toBe('title-error');
        expect(page.html.querySelector('#author')?.getAttribute('value')).toBe('Kept Author');
        expect(page.html.querySelector('#description')?.text).toBe('Kept text');
      });

      it('refuses control characters with 422 and stores nothing', async () => {
        await ada.get('/books/add');
        const page = await ada.post('/books/add', { _csrf: ada.csrfToken(), title: 'Null\u0000byte' });
        expect(page.status).toBe(422);
        expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Nullbyte');
      });

      it('escapes script in every field on every page', async () => {
        const id = await addBook(ada, { title: XSS, author: XSS, publishedDate: XSS.slice(0, 50), description: XSS });
        for (const path of ['/books', '/books/mine', `/books/${id}`, `/books/${id}/edit`, `/books/${id}/delete`]) {
          const page = await ada.get(path);
          expect(page.status).toBe(200);
          expect(page.body).not.toContain('<script>alert(1)');
          expect(page.body).not.toContain('<img src=x');
          expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
        }
      });

      it('shows template syntax in user data as typed, never running it', async () => {
        const title = '{{7*7}} {{> nav}} {{{body}}} {{#each books}}x{{/each}}';
        const id = await addBook(ada, { title, author: '{{user.name}}', publishedDate: '', description: '{{csrfToken}}' });
        for (const path of ['/books', `/books/${id}`, `/books/${id}/edit`]) {
          const page = await ada.get(path);
          expect(page.status).toBe(200);
          // The parsed page has the very text typed; the raw page has no second navigation bar.
          expect(page.html.querySelectorAll('.navbar')).toHaveLength(1);
          expect(page.body).toContain('{{7*7}} {{&gt; nav}} {{{body}}} {{#each books}}x{{/each}}');
        }
        const view = await ada.get(`/books/${id}`);
        expect(view.html.querySelector('h1')?.text).toBe(title);
        expect(view.body).toContain('{{user.name}}');
        expect(view.body).toContain('{{csrfToken}}');
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
          if (path) expect(page.html.querySelector('a[rel="next"]')?.text).toBe('More');
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

    describe('covers', () => {
      it('stores a re-encoded cover and serves it from the book page', async () => {
        // '!' sorts before every other title, so the book is on the first page.
        const id = await addBook(ada, { title: '!With a cover' }, await pngCover());
        const view = await ada.get(`/books/${id}`);
        const src = view.html.querySelector('img.cover')?.getAttribute('src');
        expect(src).toBeTruthy();
        expect(src).not.toContain('placeholder');
        const image = await fetch(new URL(src!, app.baseUrl));
        expect(image.status).toBe(200);
        expect(image.headers.get('content-type')).toBe('image/webp');
        expect(image.headers.get('x-content-type-options')).toBe('nosniff');
        const thumb = (await ada.get('/books')).html.querySelector(`a[href="/books/${id}"] img`)?.getAttribute('src');
        expect(thumb).toBeTruthy();
        expect(thumb).not.toContain('placeholder');
      });

      it('refuses bytes that are not an image with 422 at the image field, storing nothing', async () => {
        await ada.get('/books/add');
        const html = Buffer.from('<html><script>alert(1)</script></html>');
        const page = await ada.post('/books/add', bookForm(ada, { title: 'Fake cover' }, { bytes: html, name: 'cover.jpg', type: 'image/jpeg' }));
        expect(page.status).toBe(422);
        expect(page.html.querySelector('#image-error')?.text).toContain('PNG, JPEG, GIF or WebP');
        expect(page.html.querySelector('#title')?.getAttribute('value')).toBe('Fake cover');
        expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Fake cover');
      });

      it('refuses an upload over 8 MiB with 413', async () => {
        await ada.get('/books/add');
        const big = Buffer.alloc(8 * 1024 * 1024 + 1, 0);
        const page = await ada.post('/books/add', bookForm(ada, { title: 'Too big' }, { bytes: big, name: 'big.png', type: 'image/png' }));
        expect(page.status).toBe(413);
        expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Too big');
      });

      it('replaces and removes a cover, deleting the old objects', async () => {
        const id = await addBook(ada, { title: 'Cover swap' }, await pngCover());
        const first = (await ada.get(`/books/${id}`)).html.querySelector('img.cover')!.getAttribute('src')!;
        await ada.get(`/books/${id}/edit`);
        const replaced = await ada.post(`/books/${id}/edit`, bookForm(ada, { title: 'Cover swap' }, { bytes: await pngCover(80, 120), name: 'b.png', type: 'image/png' }));
        expect(replaced.status).toBe(303);
        const second = (await ada.get(`/books/${id}`)).html.querySelector('img.cover')!.getAttribute('src')!;
        expect(second).not.toBe(first);
        expect((await fetch(new URL(first, app.baseUrl))).status).toBe(404);
        await ada.get(`/books/${id}/edit`);
        const removed = await ada.post(`/books/${id}/edit`, { _csrf: ada.csrfToken(), title: 'Cover swap', removeImage: 'on' });
        expect(removed.status).toBe(303);
        expect((await ada.get(`/books/${id}`)).html.querySelector('img.cover')!.getAttribute('src')).toContain('placeholder');
        expect((await fetch(new URL(second, app.baseUrl))).status).toBe(404);
      });
    });

    describe('security', () => {
      it('refuses a POST without a CSRF token or with a wrong one, changing nothing', async () => {
        const id = await addBook(ada, { title: 'Guarded' });
        expect((await ada.post(`/books/${id}/edit`, { title: 'No token' })).status).toBe(403);
        expect((await ada.post(`/books/${id}/edit`, { _csrf: 'wrong', title: 'Wrong token' })).status).toBe(403);
        expect((await ada.post(`/books/${id}/delete`, { _csrf: bob.csrfToken() })).status).toBe(403);
        const multipart = new FormData();
        multipart.set('title', 'Multipart without token');
        expect((await ada.post('/books/add', multipart)).status).toBe(403);
        expect((await ada.get(`/books/${id}`)).body).toContain('Guarded');
        expect(titlesOn(await ada.get('/books/mine'))).not.toContain('Multipart without token');
      });

      it('answers an anonymous POST with 403', async () => {
        const anonymous = new WebClient(app.baseUrl);
        expect((await anonymous.post('/books/add', { title: 'Anonymous' })).status).toBe(403);
        expect((await anonymous.post('/logout', {})).status).toBe(403);
      });

      it('refuses an anonymous upload with 403 without waiting for its body', async () => {
        const answer = await sendHeadOnly(app.port, 'POST', '/books/add', { 'content-type': 'multipart/form-data; boundary=x' }, 7.5 * 1024 * 1024);
        expect(answer.status).toBe(403);
        expect(answer.headers.connection).toBe('close');
      });

      it('sends the security headers', async () => {
        const page = await ada.get('/books');
        const csp = page.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).not.toContain('unsafe-inline');
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toMatch(/img-src 'self' data:[^;]* https:\/\/lh3\.googleusercontent\.com/);
        expect(csp).not.toContain('upgrade-insecure-requests');
        expect(page.headers.get('x-content-type-options')).toBe('nosniff');
        expect(page.headers.get('x-powered-by')).toBeNull();
        expect(page.headers.get('strict-transport-security')).toBeNull();
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(page.body).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
      });

      it('sets the session cookie HttpOnly and SameSite=Lax: 10 minutes for a sign-in, then 14 days sliding', async () => {
        const response = await fetch(`${app.baseUrl}/oauth2authorize`, { redirect: 'manual' });
        const cookie = response.headers.getSetCookie().find((c) => c.startsWith('bookshelf.sid='))!;
        expect(cookie).toMatch(/; HttpOnly/i);
        expect(cookie).toMatch(/; SameSite=Lax/i);
        expect(cookie).not.toMatch(/; Secure/i);
        const expiresIn = (setCookie: string) => Date.parse(/Expires=([^;]+)/i.exec(setCookie)![1]) - Date.now();
        expect(Math.round(expiresIn(cookie) / 60_000)).toBe(10);

        const signedIn = (await ada.get('/books')).headers.getSetCookie().find((c) => c.startsWith('bookshelf.sid='))!;
        expect(Math.round(expiresIn(signedIn) / 86_400_000)).toBe(14);
      });

      it('does not give anonymous visitors a session', async () => {
        const response = await fetch(`${app.baseUrl}/books`);
        expect(response.headers.getSetCookie()).toEqual([]);
      });
    });

    describe('CSRF tokens', () => {
      it('issues a fresh token at every sign-in; one from an earlier session is refused', async () => {
        const visitor = new WebClient(app.baseUrl);
        await visitor.signIn('frank@example.com', 'Frank');
        const first = visitor.csrfToken(await visitor.get('/books/add'));
        const confirm = await visitor.get('/logout');
        expect((await visitor.post('/logout', { _csrf: visitor.csrfToken(confirm) })).status).toBe(303);

        // The provider still knows Frank: signing in again needs no form there.
        const back = await visitor.get('/oauth2authorize?return_url=%2Fbooks%2Fadd');
        expect(back.html.querySelector('.user-name')?.text).toBe('Frank');
        const second = visitor.csrfToken(back);
        expect(second).not.toBe(first);

        const stale = await visitor.post('/books/add', { _csrf: first, title: 'With an old token' }, { follow: false });
        expect(stale.status).toBe(403);
        const fresh = await visitor.post('/books/add', { _csrf: second, title: 'With the new token' }, { follow: false });
        expect(fresh.status).toBe(303);
      });
    });

    describe('signing out', () => {
      it('changes nothing on GET /logout, and ends the session on POST, after which the old cookie is useless', async () => {
        const leaving = new WebClient(app.baseUrl);
        await leaving.signIn('leaving@example.com', 'Leaving');
        const oldCookie = leaving.cookie('bookshelf.sid')!;
        const confirm = await leaving.get('/logout');
        expect(confirm.status).toBe(200);
        expect(confirm.html.querySelector('form[method="post"][action="/logout"]')).not.toBeNull();
        expect((await leaving.get('/books/mine', { follow: false })).status).toBe(200);

        const out = await leaving.post('/logout', { _csrf: leaving.csrfToken(confirm) });
        expect(out.status).toBe(303);
        expect(out.headers.get('location')).toMatch(/^\/books(\?|$)/);
        expect((await leaving.get(out.headers.get('location')!)).body).toContain('You have signed out.');

        const replay = new WebClient(app.baseUrl);
        replay.setCookie('bookshelf.sid', oldCookie);
        const page = await replay.get('/books/mine', { follow: false });
        expect(page.status).toBe(302);
        expect(page.headers.get('location')).toBe('/oauth2authorize?return_url=%2Fbooks%2Fmine');
      });
    });
  });
}

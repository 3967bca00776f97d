import { describeOnEveryBackend } from '../../helpers/backends';
import { pngCover } from '../../helpers/images';
import { WebClient } from '../../helpers/web-client';
import { addBook, withBookshelf, type TestApp } from './support';

/**
 * The core journey against the built app (dist/main.js as its own process, as `npm start` runs it, signing
 * in through the provider mounted in the app), on every backend: what proves the build itself. Run
 * `npx nest build` first (`npm test` does). Everything else about these pages runs in-process, next door.
 */
describeOnEveryBackend('Bookshelf, the built app: the core journey', (backend) => {
  let app: TestApp;
  let ada: WebClient;

  withBookshelf('built', backend, (started) => ({ app, ada } = started));

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
      const edited = await ada.post(`/books/${id}/edit`, {
        _csrf: ada.csrfToken(),
        title: 'Sketch of the Engine',
        author: '',
        publishedDate: '',
        description: '',
      });
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

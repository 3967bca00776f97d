import { describeOnEveryBackend } from '../../helpers/backends';
import { WebClient } from '../../helpers/web-client';
import { addBook, withBookshelf, type TestApp, titlesOn } from './support';

/** Security headers, the session cookie and CSRF tokens, in-process, on every backend. */
describeOnEveryBackend('Bookshelf in-process: security headers, cookies and CSRF', (backend) => {
  let app: TestApp;
  let ada: WebClient;
  let bob: WebClient;

  withBookshelf('in-process', backend, (started) => ({ app, ada, bob } = started));

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
      // With no-referrer, browsers send `Origin: null` on our own form posts, which the cross-site check refuses.
      expect(page.headers.get('referrer-policy')).toBe('same-origin');
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

      // Signed out, the provider asks again; it still knows Frank and offers his email.
      const login = await visitor.get('/oauth2authorize?return_url=%2Fbooks%2Fadd');
      const back = await visitor.submit(login, 'form');
      expect(back.html.querySelector('.user-name')?.text).toBe('Frank');
      const second = visitor.csrfToken(back);
      expect(second).not.toBe(first);

      const stale = await visitor.post('/books/add', { _csrf: first, title: 'With an old token' }, { follow: false });
      expect(stale.status).toBe(403);
      const fresh = await visitor.post('/books/add', { _csrf: second, title: 'With the new token' }, { follow: false });
      expect(fresh.status).toBe(303);
    });
  });
});

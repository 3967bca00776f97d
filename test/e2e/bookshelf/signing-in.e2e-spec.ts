import { describeOnEveryBackend } from '../../helpers/backends';
import { WebClient } from '../../helpers/web-client';
import { withBookshelf, type TestApp } from './support';

/** Sign-in and the navigation it changes, in-process (the standalone provider acting as Google), on every backend. */
describeOnEveryBackend('Bookshelf in-process: signing in', (backend) => {
  let app: TestApp;
  let ada: WebClient;

  withBookshelf('in-process', backend, (started) => ({ app, ada } = started));

  describe('signing in', () => {
    it('sends anonymous visitors of every signed-in page to sign-in, coming back to that page', async () => {
      const visitor = new WebClient(app.baseUrl);
      for (const path of ['/books/add', '/books/1/edit', '/books/1/delete']) {
        const page = await visitor.get(path, { follow: false });
        expect([path, page.status, page.headers.get('location')]).toEqual([
          path,
          302,
          `/oauth2authorize?return_url=${encodeURIComponent(path)}`,
        ]);
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
      // An error, announced at once: the danger style and role "alert" (a success or notice is "status").
      const message = books.html.querySelector('main .flash');
      expect(message?.classList.contains('alert-danger')).toBe(true);
      expect(message?.getAttribute('role')).toBe('alert');
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

    it('asks the provider to let the person choose an account at the first sign-in after signing out, and only then', async () => {
      const promptOf = async (client: WebClient) => {
        const start = await client.get('/oauth2authorize?return_url=%2Fbooks', { follow: false });
        return new URL(start.headers.get('location')!).searchParams.get('prompt');
      };
      const visitor = new WebClient(app.baseUrl);
      expect(await promptOf(visitor)).toBeNull();
      await visitor.signIn('ruth@example.com', 'Ruth');
      const confirm = await visitor.get('/logout');
      await visitor.post('/logout', { _csrf: visitor.csrfToken(confirm) });
      expect(visitor.cookie('bookshelf.choose-account')).toBe('1');
      expect(await promptOf(visitor)).toBe('select_account');

      // The provider shows its sign-in page, offering the email signed in there; signing in clears the request.
      const login = await visitor.get('/oauth2authorize?return_url=%2Fbooks');
      expect(login.html.querySelector('input[name="email"]')?.getAttribute('value')).toBe('ruth@example.com');
      const landed = await visitor.submit(login, 'form');
      expect(landed.url).toBe(`${app.baseUrl}/books`);
      expect(landed.body).toContain('Signed in as Ruth.');
      expect(visitor.cookie('bookshelf.choose-account')).toBeUndefined();
      expect(await promptOf(visitor)).toBeNull();
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
});

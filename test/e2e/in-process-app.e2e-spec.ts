import { BooksRepository } from '../../src/books/books.repository';
import { startInProcessApp, type InProcessApp } from '../helpers/in-process-app';
import { WebClient } from '../helpers/web-client';

// The harness itself: the production app in this process, signing in through the standalone provider.
describe('the in-process app (test/helpers/in-process-app.ts)', () => {
  let app: InProcessApp;

  beforeAll(async () => {
    app = await startInProcessApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signs in through the standalone OpenID provider, then posts a form with its CSRF token', async () => {
    const ada = new WebClient(app.baseUrl);
    const start = await ada.get('/oauth2authorize?return_url=%2Fbooks%2Fadd', { follow: false });
    const authorize = new URL(start.headers.get('location')!);
    // The provider is a process of its own, on another origin than the app.
    expect(authorize.origin).not.toBe(new URL(app.baseUrl).origin);
    expect(authorize.pathname).toBe('/dev-idp/auth');

    const landed = await ada.signIn('ada@example.com', 'Ada Lovelace', '/books/add');
    expect(landed.url).toBe(`${app.baseUrl}/books/add`);
    expect(landed.html.querySelector('.user-name')?.text).toBe('Ada Lovelace');

    const withoutToken = await ada.post('/books/add', { title: 'No token' });
    expect(withoutToken.status).toBe(403);
    const added = await ada.post('/books/add', { _csrf: ada.csrfToken(landed), title: 'Posted in-process' });
    expect(added.status).toBe(303);
    const location = added.headers.get('location')!;
    expect(location).toMatch(/^\/books\/[^/]+$/);

    const view = await ada.get(location);
    expect(view.body).toContain('Posted in-process');
    expect(view.body).toContain('Added by Ada Lovelace');
    // The very app of this process stored it: the repository answers without any HTTP.
    const book = await app.nest.get(BooksRepository).findById(decodeURIComponent(location.split('/')[2]));
    expect(book?.title).toBe('Posted in-process');
  });
});

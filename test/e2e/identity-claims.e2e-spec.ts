import { type RunningApp, startApp } from '../helpers/app-process';
import { startScriptedProvider, type ScriptedProvider } from '../helpers/scripted-provider';
import { type Page, WebClient } from '../helpers/web-client';
import { addBook } from './bookshelf/support';

/**
 * Sign-in against a provider that sends what Google never would. No real provider can be made to send
 * such claims, or to hang on purpose, so this suite uses a minimal scripted provider
 * (test/helpers/scripted-provider.ts) configured the way an operator configures another OpenID provider.
 */
describe('sign-in with untrustworthy identity claims', () => {
  let provider: ScriptedProvider;
  let app: RunningApp;

  beforeAll(async () => {
    provider = await startScriptedProvider();
    app = await startApp(provider.env);
  });

  afterAll(async () => {
    await app?.stop();
    await provider?.close();
  });

  beforeEach(() => {
    provider.hangToken = false;
  });

  /** Goes to the provider and back, returning the callback's own answer (not followed). */
  async function callback(client: WebClient): Promise<{ response: Page; ms: number }> {
    const start = await client.get('/oauth2authorize?return_url=%2Fbooks%2Fmine', { follow: false });
    const atProvider = await client.get(start.headers.get('location')!, { follow: false });
    const started = Date.now();
    const response = await client.get(atProvider.headers.get('location')!, { follow: false });
    return { response, ms: Date.now() - started };
  }

  async function expectFailedSignIn(client: WebClient, loggedReason: string): Promise<void> {
    const { response } = await callback(client);
    expect([response.status, response.headers.get('location')]).toEqual([303, '/books']);
    const books = await client.get('/books');
    expect(books.body).toContain('Sign-in did not complete');
    expect(books.body).toContain('Login');
    expect(books.body).not.toContain('My Books');
    const add = await client.get('/books/add', { follow: false });
    expect([add.status, add.headers.get('location')]).toEqual([302, '/oauth2authorize?return_url=%2Fbooks%2Fadd']);
    expect(app.output()).toContain(loggedReason);
  }

  it('refuses a profile without a sub', async () => {
    provider.claims = { name: 'Nobody', email: 'nobody@example.com' };
    await expectFailedSignIn(new WebClient(app.baseUrl), 'ProfileRefused: the provider sent no sub claim');
  });

  it('refuses an empty sub, so two such people cannot share one account', async () => {
    provider.claims = { sub: '', name: 'Empty', email: 'empty@example.com' };
    await expectFailedSignIn(new WebClient(app.baseUrl), 'ProfileRefused: the provider sent no sub claim');
  });

  it('bounds and cleans a huge name with a NUL, and shows the placeholder for a javascript: picture', async () => {
    provider.claims = {
      sub: 'hostile-1',
      name: `Mallory\u0000 ${'m'.repeat(100_000)}`,
      email: 'mallory@example.com',
      picture: 'javascript:alert(document.cookie)',
    };
    const client = new WebClient(app.baseUrl);
    const { response } = await callback(client);
    expect([response.status, response.headers.get('location')]).toEqual([303, '/books/mine']);
    const mine = await client.get('/books/mine');
    const expectedName = `Mallory ${'m'.repeat(92)}`;
    expect(mine.html.querySelector('nav .user-name')?.text).toBe(expectedName);
    expect(mine.body).not.toContain('\u0000');
    expect(mine.body).not.toContain('javascript:');
    expect(mine.html.querySelector('nav img.avatar')?.getAttribute('src')).toMatch(/^\/static\/avatar\.[0-9a-f]{8}\.svg$/);

    await client.get('/books/add');
    const added = await client.post('/books/add', {
      _csrf: client.csrfToken(),
      title: 'Claims',
      author: '',
      publishedDate: '',
      description: '',
    });
    expect(added.status).toBe(303);
    const book = await client.get(added.headers.get('location')!);
    expect(book.body).toContain(`Added by ${expectedName}`);
  });

  it('keeps an https picture', async () => {
    provider.claims = { sub: 'pictured-1', name: 'Pat', picture: 'https://lh3.googleusercontent.com/a/pat=s96-c' };
    const client = new WebClient(app.baseUrl);
    await callback(client);
    const page = await client.get('/books');
    expect(page.html.querySelector('nav img.avatar')?.getAttribute('src')).toBe('https://lh3.googleusercontent.com/a/pat=s96-c');
    provider.claims = { sub: 'plain-1', name: 'Plain', picture: 'http://example.com/plain.png' };
    const plain = new WebClient(app.baseUrl);
    await callback(plain);
    expect((await plain.get('/books')).html.querySelector('nav img.avatar')?.getAttribute('src')).toMatch(
      /^\/static\/avatar\.[0-9a-f]{8}\.svg$/,
    );
  });

  it('fills kept signed-in pages with each viewer exactly as rendering the page for them does', async () => {
    // A name and a picture URL with every character that HTML escaping changes; a second viewer without a picture.
    provider.claims = { sub: 'kept-1', name: `Quinn <O'Hara> & "Co" =\``, picture: 'https://lh3.googleusercontent.com/a/q=s96-c?x=1&y=2' };
    const quinn = new WebClient(app.baseUrl);
    await callback(quinn);
    provider.claims = { sub: 'kept-2', name: 'Rae & Co', picture: 'http://example.com/plain.png' };
    const rae = new WebClient(app.baseUrl);
    await callback(rae);
    // Its "Added" message shows on the next page, which is never kept: the first of the loop below.
    const book = `/books/${await addBook(quinn, { title: 'Kept <b>', author: 'A & B' })}`;
    // The second request of each is the kept page; with a query string nobody reads, the page is rendered afresh.
    for (const [client, path] of [
      [quinn, '/books'],
      [rae, '/books'],
      [quinn, '/books/mine'],
      [rae, '/books/mine'],
      [quinn, book],
      [rae, book],
    ] as const) {
      await client.get(path);
      const kept = await client.get(path);
      const rendered = await client.get(`${path}?fresh=1`);
      expect([kept.status, rendered.status]).toEqual([200, 200]);
      expect(kept.body).toBe(rendered.body);
    }
    expect((await quinn.get(book)).html.querySelector('nav .user-name')?.text).toBe(`Quinn <O'Hara> & "Co" =\``);
    expect((await quinn.get(book)).body).toContain('/edit');
    expect((await rae.get(book)).body).not.toContain('/edit');
  });

  it('gives up on a token endpoint that never answers after 5 s, with a message', async () => {
    provider.hangToken = true;
    provider.claims = { sub: 'patient-1', name: 'Patient' };
    const client = new WebClient(app.baseUrl);
    const { response, ms } = await callback(client);
    expect([response.status, response.headers.get('location')]).toEqual([303, '/books']);
    expect(ms).toBeGreaterThanOrEqual(4900);
    expect(ms).toBeLessThan(8000);
    expect((await client.get('/books')).body).toContain('Sign-in did not complete');
    expect(app.output()).toContain('did not answer within 5 s');
  }, 20_000);
});

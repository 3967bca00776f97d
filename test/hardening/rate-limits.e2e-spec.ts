import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApp, startApp } from '../helpers/app-process';
import { smallCover } from '../helpers/hostile-images';
import { type Page, WebClient } from '../helpers/web-client';

/** Budgets small enough to reach: 3 sign-in starts (and finishes) per address, 4 writes, 2 covers per person. */
const LIMITS = { RATE_LIMITS: 'on', RATE_LIMIT_SIGN_IN: '3/600', RATE_LIMIT_WRITES: '4/600', RATE_LIMIT_UPLOADS: '2/600' };

function addBook(client: WebClient, title: string, cover?: Buffer): Promise<Page> {
  const form = new FormData();
  form.set('_csrf', client.csrfToken());
  form.set('title', title);
  if (cover) form.set('image', new Blob([new Uint8Array(cover)], { type: 'image/png' }), 'cover.png');
  return client.post('/books/add', form);
}

function expectTooManyRequests(status: number, headers: Headers, body: string, windowSeconds: number): void {
  expect(status).toBe(429);
  const retryAfter = Number(headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(body).toContain('Too many requests');
}

async function startSignIn(app: RunningApp, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${app.port}/oauth2authorize`, { redirect: 'manual', headers });
}

describe('rate limits', () => {
  describe('on sign-in, per client address', () => {
    let app: RunningApp;

    beforeAll(async () => {
      app = await startApp(LIMITS);
    });

    afterAll(async () => {
      await app?.stop();
    });

    it('lets three sign-ins start, then answers 429 with Retry-After and a page', async () => {
      for (let i = 0; i < 3; i++) expect((await startSignIn(app)).status).toBe(302);
      const refused = await startSignIn(app);
      expectTooManyRequests(refused.status, refused.headers, await refused.text(), 600);
    });

    it('counts the finish of sign-in on a budget of its own', async () => {
      const finish = () => fetch(`http://127.0.0.1:${app.port}/oauth2callback?code=x&state=y`, { redirect: 'manual' });
      for (let i = 0; i < 3; i++) expect((await finish()).status).toBe(303);
      const refused = await finish();
      expectTooManyRequests(refused.status, refused.headers, await refused.text(), 600);
    });

    it('ignores X-Forwarded-For without TRUST_PROXY: a forged address gets no fresh budget', async () => {
      expect((await startSignIn(app, { 'x-forwarded-for': '198.51.100.23' })).status).toBe(429);
    });
  });

  describe('behind one trusted proxy (TRUST_PROXY=1)', () => {
    let app: RunningApp;

    beforeAll(async () => {
      app = await startApp({ ...LIMITS, TRUST_PROXY: '1' });
    });

    afterAll(async () => {
      await app?.stop();
    });

    it('counts per address the proxy reports, and only the hop it appended', async () => {
      const from = (address: string) => startSignIn(app, { 'x-forwarded-for': address });
      for (let i = 0; i < 3; i++) expect((await from('198.51.100.1')).status).toBe(302);
      expect((await from('198.51.100.1')).status).toBe(429);
      // A client cannot escape by prepending addresses: the proxy's own entry (the last) is what counts.
      expect((await from('203.0.113.9, 198.51.100.1')).status).toBe(429);
      expect((await from('198.51.100.2')).status).toBe(302);
    });
  });

  describe('on writes and uploads, per person', () => {
    let app: RunningApp;
    let ada: WebClient;
    let bob: WebClient;

    beforeAll(async () => {
      // Sign-in is not what is measured here.
      app = await startApp({ ...LIMITS, RATE_LIMIT_SIGN_IN: '100/600' });
      ada = new WebClient(app.baseUrl);
      await ada.signIn('ada@example.com', 'Ada');
      bob = new WebClient(app.baseUrl);
      await bob.signIn('bob@example.com', 'Bob');
    });

    afterAll(async () => {
      await app?.stop();
    });

    it('refuses a third cover with 429 while writes without one go on, and stores nothing refused', async () => {
      await ada.get('/books/add');
      const cover = await smallCover();
      expect((await addBook(ada, 'Cover one', cover)).status).toBe(303);
      await ada.get('/books/add');
      expect((await addBook(ada, 'Cover two', cover)).status).toBe(303);
      await ada.get('/books/add');
      const refused = await addBook(ada, 'Cover three', cover);
      expectTooManyRequests(refused.status, refused.headers, refused.body, 600);

      await ada.get('/books/add');
      // The refused upload still counted as a write: this is the fourth and last.
      expect((await addBook(ada, 'No cover', undefined)).status).toBe(303);
      await ada.get('/books/add');
      const overWrites = await addBook(ada, 'One too many', undefined);
      expectTooManyRequests(overWrites.status, overWrites.headers, overWrites.body, 600);

      const mine = await ada.get('/books/mine');
      const titles = mine.html
        .querySelectorAll('.book-list h2')
        .map((h) => h.text)
        .sort();
      expect(titles).toEqual(['Cover one', 'Cover two', 'No cover']);
    });

    it('keeps another person’s budget whole', async () => {
      await bob.get('/books/add');
      expect((await addBook(bob, 'Bob’s book', await smallCover())).status).toBe(303);
    });
  });

  describe('shared by two instances on one SQLite file', () => {
    let dir: string;
    let a: RunningApp;
    let b: RunningApp;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'bookshelf-limits-'));
      const shared = { ...LIMITS, SQL_URL: `sqlite:${join(dir, 'shared.sqlite')}`, UPLOAD_DIR: join(dir, 'uploads') };
      a = await startApp(shared);
      b = await startApp(shared);
    });

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('spends one budget whichever instance answers', async () => {
      expect((await startSignIn(a)).status).toBe(302);
      expect((await startSignIn(b)).status).toBe(302);
      expect((await startSignIn(a)).status).toBe(302);
      expect((await startSignIn(b)).status).toBe(429);
      expect((await startSignIn(a)).status).toBe(429);
    });
  });

  describe('turned off', () => {
    it('warns in the log that nothing is limited', async () => {
      const app = await startApp({ RATE_LIMITS: 'off', LOG_LEVEL: 'warn' });
      try {
        for (let i = 0; i < 40; i++) expect((await startSignIn(app)).status).toBe(302);
        expect(app.output()).toContain('RATE_LIMITS=off');
      } finally {
        await app.stop();
      }
    });
  });
});

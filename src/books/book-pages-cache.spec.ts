import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import Handlebars from 'handlebars';
import type { BooksRepository } from './books.repository';
import { BookChangeStamp } from './book-change-stamp';
import { type Audience, BookPagesCache, keepPage, MAX_AGE_MS, MAX_PAGES } from './book-pages-cache';

/** The cache in front of a route that renders a new body (with a render count) every time it runs. */
async function serve(stamp: () => Promise<string | null>) {
  const cache = new BookPagesCache(new BookChangeStamp({ changeStamp: stamp } as unknown as BooksRepository));
  let renders = 0;
  let status = 200;
  const app = express();
  app.use(cache.anonymous);
  const render = (keep: boolean) => (_req: express.Request, res: express.Response) => {
    if (keep) keepPage(res);
    void res.status(status).send(`<p>render ${++renders}</p>`);
  };
  // As the books controller's routes are: My Books and the form before a book's page, which says "keep".
  app.get(['/books/mine', '/books/add'], render(false));
  app.get(['/books', '/books/:id'], render(true));
  // Every other page, rendered the same way without saying "keep": none of them may be kept.
  app.get(/.*/, render(false));
  app.use(
    (error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(503).send(error.message),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${base}${path}`, init);
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };
  return { get, setStatus: (s: number) => (status = s), close: () => new Promise((resolve) => server.close(resolve)) };
}

describe(BookPagesCache.name, () => {
  let stamp: string | null;
  let app: Awaited<ReturnType<typeof serve>>;

  beforeEach(async () => {
    stamp = '1';
    app = await serve(async () => stamp);
  });
  afterEach(async () => {
    jest.useRealTimers();
    await app.close();
  });

  it('serves the page it rendered while the change stamp stands still, as HTML', async () => {
    await expect(app.get('/books')).resolves.toMatchObject({ status: 200, body: '<p>render 1</p>' });
    await expect(app.get('/books')).resolves.toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<p>render 1</p>' });
  });

  it('renders again as soon as the stamp moves', async () => {
    await app.get('/books');
    stamp = '2';
    await expect(app.get('/books')).resolves.toMatchObject({ body: '<p>render 2</p>' });
    await expect(app.get('/books')).resolves.toMatchObject({ body: '<p>render 2</p>' });
  });

  it('keeps each page token apart, and never caches other query strings or methods', async () => {
    await app.get('/books?page_token=abc.def');
    await expect(app.get('/books')).resolves.toMatchObject({ body: '<p>render 2</p>' });
    await expect(app.get('/books?page_token=abc.def')).resolves.toMatchObject({ body: '<p>render 1</p>' });
    await expect(app.get('/books?notice=signed-out')).resolves.toMatchObject({ body: '<p>render 3</p>' });
    await expect(app.get('/books?notice=signed-out')).resolves.toMatchObject({ body: '<p>render 4</p>' });
    await expect(app.get('/books', { method: 'HEAD' })).resolves.toMatchObject({ status: 200 });
    await expect(app.get('/books?page_token=abc.def&x=1')).resolves.toMatchObject({ body: '<p>render 6</p>' });
  });

  it('keeps a book page as it keeps a list page, until the stamp moves', async () => {
    await app.get('/books/12');
    await expect(app.get('/books/12')).resolves.toEqual({ status: 200, type: 'text/html; charset=utf-8', body: '<p>render 1</p>' });
    await expect(app.get('/books/13')).resolves.toMatchObject({ body: '<p>render 2</p>' });
    await expect(app.get('/books/12?x=1')).resolves.toMatchObject({ body: '<p>render 3</p>' });
    stamp = '2';
    await expect(app.get('/books/12')).resolves.toMatchObject({ body: '<p>render 4</p>' });
  });

  it("keeps only what a books handler says to keep: never My Books, a form or another feature's page", async () => {
    const others = [
      '/books/mine',
      '/books/mine?page_token=abc.def',
      '/books/add',
      '/books/12/edit',
      '/',
      '/covers/x.webp',
      '/other?page_token=abc.def',
    ];
    for (const [i, path] of others.entries()) {
      await expect(app.get(path)).resolves.toMatchObject({ body: `<p>render ${2 * i + 1}</p>` });
      await expect(app.get(path)).resolves.toMatchObject({ body: `<p>render ${2 * i + 2}</p>` });
    }
  });

  it('never keeps an error page', async () => {
    app.setStatus(400);
    await app.get('/books');
    app.setStatus(200);
    await expect(app.get('/books')).resolves.toMatchObject({ status: 200, body: '<p>render 2</p>' });
  });

  it('caches nothing for an adapter without stamps', async () => {
    stamp = null;
    await app.get('/books');
    await expect(app.get('/books')).resolves.toMatchObject({ body: '<p>render 2</p>' });
  });

  it('answers 503 at once when the stamp cannot be read, without running the route', async () => {
    await app.close();
    app = await serve(() => Promise.reject(new Error('database down')));
    await expect(app.get('/books')).resolves.toMatchObject({ status: 503, body: 'database down' });
  });

  it(`renders again after ${MAX_AGE_MS / 1000} s, and keeps at most ${MAX_PAGES} pages`, async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'],
    });
    await app.get('/books');
    jest.setSystemTime(Date.now() + MAX_AGE_MS);
    await expect(app.get('/books')).resolves.toMatchObject({ body: '<p>render 2</p>' });

    for (let i = 0; i < MAX_PAGES; i++) await app.get(`/books?page_token=t${i}`);
    // Page 1 was the oldest: pushed out by the last token.
    await expect(app.get('/books')).resolves.toMatchObject({ body: `<p>render ${MAX_PAGES + 3}</p>` });
    await expect(app.get(`/books?page_token=t${MAX_PAGES - 1}`)).resolves.toMatchObject({ body: `<p>render ${MAX_PAGES + 2}</p>` });
  });
});

/**
 * The signed-in side, behind a stand-in for the session and passport (a header names the viewer) and a real
 * Handlebars view: the handler counts its renders, so a page served from the cache shows an old count.
 */
describe(`${BookPagesCache.name} for signed-in viewers`, () => {
  const people: Record<string, Express.User> = {
    ada: { id: 'ada', name: 'Ada <Lovelace>', email: 'ada@example.com', picture: 'https://lh3.example/a?s=1&t=2' },
    bob: { id: 'bob', name: `Bob "O'Brien"`, email: 'bob@example.com', picture: 'https://lh3.example/b' },
    cy: { id: 'cy', name: 'Cy', email: 'cy@example.com', picture: null },
  };
  let stamp = 0;
  let renders: number;
  let views: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    views = await mkdtemp(join(tmpdir(), 'kept-views-'));
    await writeFile(
      join(views, 'page.hbs'),
      '{{#if user.picture}}<img src="{{user.picture}}">{{/if}}<b>{{user.name}}</b><i>{{csrfToken}}</i>{{#if owner}}<a>edit</a>{{/if}}<p>render {{n}}</p>',
    );
    const app = express();
    app.set('views', views);
    app.engine('hbs', (file, options, done) => {
      readFile(file, 'utf8').then((text) => done(null, Handlebars.compile(text)(options)), done);
    });
    app.set('view engine', 'hbs');
    app.use((req, res, next) => {
      req.user = people[String(req.headers['x-viewer'])];
      res.locals.user = req.user;
      res.locals.csrfToken = `token-of-${req.user?.id}`;
      if (req.headers['x-flash']) res.locals.flash = { text: 'Saved.' };
      if (req.headers['x-other']) res.locals.otherFeature = { unread: 3 };
      next();
    });
    const cache = new BookPagesCache(new BookChangeStamp({ changeStamp: async () => String(stamp) } as unknown as BooksRepository));
    app.use(cache.signedIn);
    const page = (audience: (req: express.Request) => Audience | undefined) => (req: express.Request, res: express.Response) => {
      const kept = audience(req);
      if (kept) keepPage(res, kept);
      res.render('page', { n: ++renders, owner: req.user?.id === 'ada' && req.path === '/books/12' });
    };
    app.get(
      '/books/mine',
      page((req) => ({ only: req.user!.id })),
    );
    app.get(
      '/books/add',
      page(() => undefined),
    );
    app.get(
      '/books/12',
      page((req) => (req.user?.id === 'ada' ? { only: 'ada' } : { except: 'ada' })),
    );
    app.get(
      '/books',
      page(() => ({})),
    );
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(views, { recursive: true });
  });
  // A stamp of its own for each test: nothing one test kept is current in the next.
  beforeEach(() => {
    stamp++;
    renders = 0;
  });

  const get = async (path: string, viewer: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers: { 'x-viewer': viewer, ...headers } });
    return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
  };
  const escaped = (text: string) => Handlebars.Utils.escapeExpression(text);
  /** What rendering the page for the viewer directly gives, with the given render count. */
  const direct = (viewer: string, n: number, owner = false) => {
    const { name, picture, id } = people[viewer];
    const img = picture ? `<img src="${escaped(picture)}">` : '';
    return `${img}<b>${escaped(name)}</b><i>token-of-${id}</i>${owner ? '<a>edit</a>' : ''}<p>render ${n}</p>`;
  };

  it('serves a page kept for everyone to each viewer with their own name, picture and token, until the stamp moves', async () => {
    await expect(get('/books', 'ada')).resolves.toEqual({ status: 200, type: 'text/html; charset=utf-8', body: direct('ada', 1) });
    await expect(get('/books', 'bob')).resolves.toMatchObject({ body: direct('bob', 1) });
    await expect(get('/books', 'ada')).resolves.toMatchObject({ body: direct('ada', 1) });
    stamp++;
    await expect(get('/books', 'bob')).resolves.toMatchObject({ body: direct('bob', 2) });
  });

  it('keeps a page apart for viewers without a picture, which the page tests', async () => {
    await get('/books', 'ada');
    await expect(get('/books', 'cy')).resolves.toMatchObject({ body: direct('cy', 2) });
    await expect(get('/books', 'cy')).resolves.toMatchObject({ body: direct('cy', 2) });
  });

  it("never serves one person's page to anyone else, nor a page for everyone but its owner to the owner", async () => {
    await get('/books/mine', 'ada');
    await expect(get('/books/mine', 'bob')).resolves.toMatchObject({ body: direct('bob', 2) });
    await expect(get('/books/mine', 'ada')).resolves.toMatchObject({ body: direct('ada', 1) });
    await expect(get('/books/mine', 'bob')).resolves.toMatchObject({ body: direct('bob', 2) });

    await expect(get('/books/12', 'bob')).resolves.toMatchObject({ body: direct('bob', 3) });
    await expect(get('/books/12', 'ada')).resolves.toMatchObject({ body: direct('ada', 4, true) });
    await expect(get('/books/12', 'ada')).resolves.toMatchObject({ body: direct('ada', 4, true) });
    await expect(get('/books/12', 'bob')).resolves.toMatchObject({ body: direct('bob', 3) });
  });

  it(`renders a signed-in page again after ${MAX_AGE_MS / 1000} s, as an anonymous one`, async () => {
    jest.useFakeTimers({
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'],
    });
    try {
      await get('/books', 'ada');
      jest.setSystemTime(Date.now() + MAX_AGE_MS);
      await expect(get('/books', 'bob')).resolves.toMatchObject({ body: direct('bob', 2) });
    } finally {
      jest.useRealTimers();
    }
  });

  it("neither serves nor keeps a page with a message, another module's locals or no say-so from its handler, nor for anyone signed out", async () => {
    await get('/books', 'ada');
    await expect(get('/books', 'ada', { 'x-flash': '1' })).resolves.toMatchObject({ body: direct('ada', 2) });
    await expect(get('/books', 'ada')).resolves.toMatchObject({ body: direct('ada', 1) });
    await get('/books/add', 'ada');
    await expect(get('/books/add', 'ada')).resolves.toMatchObject({ body: direct('ada', 4) });
    // Another module's local, which may differ per viewer, is never frozen into a kept page.
    stamp++;
    await get('/books', 'bob', { 'x-other': '1' });
    await expect(get('/books', 'bob')).resolves.toMatchObject({ body: direct('bob', 6) });
    await expect(get('/books', 'bob')).resolves.toMatchObject({ body: direct('bob', 6) });
    await expect(get('/books', 'nobody')).resolves.toMatchObject({ body: '<b></b><i>token-of-undefined</i><p>render 7</p>' });
  });
});

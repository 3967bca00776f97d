import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import type { BooksRepository } from './books.repository';
import { BookChangeStamp } from './book-change-stamp';
import { BookPagesCache, keepForAnonymous, MAX_AGE_MS, MAX_PAGES } from './book-pages-cache';

/** The cache in front of a route that renders a new body (with a render count) every time it runs. */
async function serve(stamp: () => Promise<string | null>) {
  const cache = new BookPagesCache(new BookChangeStamp({ changeStamp: stamp } as unknown as BooksRepository));
  let renders = 0;
  let status = 200;
  const app = express();
  app.use(cache.middleware);
  const render = (keep: boolean) => (_req: express.Request, res: express.Response) => {
    if (keep) keepForAnonymous(res);
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

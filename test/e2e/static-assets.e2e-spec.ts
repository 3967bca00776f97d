import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parse } from 'node-html-parser';
import { type RunningApp, startApp } from '../helpers/app-process';
import { sendHeadOnly } from '../helpers/raw-http';

const ROOT = resolve(__dirname, '../..');
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** docs/architecture.md section 2 (GET /static/...) and section 4.8: versioned, compressed, cached for a year. */
describe('static files', () => {
  let app: RunningApp;
  /** The versioned URLs the layout links to, by file. */
  let linked: { css: string; bootstrap: string; js: string; icon: string };

  beforeAll(async () => {
    app = await startApp();
    const html = parse(await (await fetch(`${app.baseUrl}/books`)).text());
    const stylesheets = html.querySelectorAll('link[rel=stylesheet]').map((l) => l.getAttribute('href')!);
    linked = {
      css: stylesheets.find((href) => href.includes('/app.'))!,
      bootstrap: stylesheets.find((href) => href.includes('/bootstrap.min.'))!,
      js: html
        .querySelectorAll('script[src]')
        .map((s) => s.getAttribute('src')!)
        .find((src) => src.includes('/app.'))!,
      icon: html.querySelector('link[rel=icon]')!.getAttribute('href')!,
    };
  });

  afterAll(async () => {
    await app?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => sendHeadOnly(app.port, method, path, headers);

  it('links pages to versioned names: the name, eight hex digits of the content hash, the extension', () => {
    expect(linked).toEqual({
      css: expect.stringMatching(/^\/static\/app\.[0-9a-f]{8}\.css$/),
      bootstrap: expect.stringMatching(/^\/static\/bootstrap\/css\/bootstrap\.min\.[0-9a-f]{8}\.css$/),
      js: expect.stringMatching(/^\/static\/app\.[0-9a-f]{8}\.js$/),
      icon: expect.stringMatching(/^\/static\/favicon\.[0-9a-f]{8}\.svg$/),
    });
  });

  it('sends brotli to a browser that accepts it, which decompresses to the file, cached for a year', async () => {
    const answer = await get(linked.css, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({
      'content-encoding': 'br',
      'content-type': 'text/css; charset=utf-8',
      'content-length': String(answer.bytes.length),
      'cache-control': IMMUTABLE,
      vary: 'Accept-Encoding',
    });
    expect(brotliDecompressSync(answer.bytes).toString()).toBe(readFileSync(join(ROOT, 'public/app.css'), 'utf8'));
  });

  it('sends gzip when brotli is not accepted, and the file itself when nothing is', async () => {
    const gzipped = await get(linked.js, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(gunzipSync(gzipped.bytes).toString()).toBe(readFileSync(join(ROOT, 'public/app.js'), 'utf8'));

    const plain = await get(linked.js);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers).toMatchObject({
      'cache-control': IMMUTABLE,
      vary: 'Accept-Encoding',
      'content-length': String(plain.bytes.length),
    });
    expect(plain.body).toBe(readFileSync(join(ROOT, 'public/app.js'), 'utf8'));
  });

  it('serves Bootstrap’s stylesheet the same way', async () => {
    const answer = await get(linked.bootstrap, { 'accept-encoding': 'br' });
    expect(answer.headers).toMatchObject({ 'content-encoding': 'br', 'cache-control': IMMUTABLE });
    expect(brotliDecompressSync(answer.bytes).toString()).toBe(
      readFileSync(join(ROOT, 'node_modules/bootstrap/dist/css/bootstrap.min.css'), 'utf8'),
    );
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const head = await get(linked.css, { 'accept-encoding': 'br' }, 'HEAD');
    const full = await get(linked.css, { 'accept-encoding': 'br' });
    expect(head.status).toBe(200);
    expect(head.bytes.length).toBe(0);
    for (const name of ['content-type', 'content-length', 'content-encoding', 'cache-control', 'etag']) {
      expect(head.headers[name]).toBe(full.headers[name]);
    }
  });

  it('answers 304 to a request that names the ETag it has', async () => {
    const first = await get(linked.css, { 'accept-encoding': 'br' });
    const again = await get(linked.css, { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
  });

  it('keeps the plain URLs working, with their day’s (Bootstrap: week’s) cache', async () => {
    const css = await get('/static/app.css', { 'accept-encoding': 'br' });
    expect(css.status).toBe(200);
    expect(css.headers['cache-control']).toBe('public, max-age=86400');
    expect(brotliDecompressSync(css.bytes).toString()).toBe(readFileSync(join(ROOT, 'public/app.css'), 'utf8'));
    expect((await get('/static/placeholder.svg')).status).toBe(200);
    expect((await get('/static/bootstrap/css/bootstrap.min.css')).headers['cache-control']).toBe('public, max-age=604800');
    // Bootstrap's other files come from disk, as before.
    expect((await get('/static/bootstrap/js/bootstrap.bundle.min.js')).status).toBe(200);
  });

  it('answers 404 for a name with a hash that is not the file’s', async () => {
    const answer = await get('/static/app.00000000.css');
    expect(answer.status).toBe(404);
    expect(answer.headers['cache-control']).not.toBe(IMMUTABLE);
  });
});

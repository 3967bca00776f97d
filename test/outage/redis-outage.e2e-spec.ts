import { type RunningApp, startApp } from '../helpers/app-process';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { type PrivateServer, privateRedisUnavailable, startPrivateRedis } from '../helpers/sql-servers';
import { WebClient } from '../helpers/web-client';
import { addBook, backgroundTraffic, OUTAGE_ANSWER_MS, timedGet } from './outage-probe';

/**
 * The app with SESSION_STORE=redis on its own redis-server (books in SQLite), which the test stops,
 * freezes and brings back while the app keeps running. Pages that need the session answer 503 within
 * 2 s meanwhile, and so does readiness; anonymous pages need no session and keep working; afterwards the
 * same signed-in session works again (the server saves its data when stopped) without restarting the app.
 */
describeWhen(privateRedisUnavailable())('The app during a Redis session store outage', () => {
  let redis: PrivateServer;
  let app: RunningApp;
  let ada: WebClient;
  let anonymous: WebClient;
  let bookId: string;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    app = await startApp({ SESSION_STORE: 'redis', REDIS_URL: redis.url });
    ada = new WebClient(app.baseUrl);
    anonymous = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada Lovelace');
    bookId = await addBook(ada, 'Sessions elsewhere');
  });

  afterAll(async () => {
    await app?.stop();
    await redis?.close();
  });

  const signedInPaths = () => ['/books/mine', '/books', `/books/${bookId}`, `/books/${bookId}/edit`];

  async function expectSignedInWorking(): Promise<void> {
    const answers = await Promise.all(signedInPaths().map((path) => timedGet(ada, path)));
    expect(answers.map((a) => [a.path, a.status])).toEqual(answers.map((a) => [a.path, 200]));
    expect((await ada.get('/books/mine')).body).toContain('Ada Lovelace');
    expect((await timedGet(anonymous, '/readyz')).status).toBe(200);
  }

  async function expectSignedInUnavailable(): Promise<void> {
    const answers = await Promise.all(signedInPaths().map((path) => timedGet(ada, path)));
    for (const answer of answers) {
      expect(answer).toEqual({ path: answer.path, status: 503, ms: expect.any(Number) });
      expect(answer.ms).toBeLessThan(OUTAGE_ANSWER_MS);
    }
    // Readiness covers the session store when it lives on a server of its own.
    expect((await timedGet(anonymous, '/readyz')).status).toBe(503);
    // Without a session cookie nothing asks the session store.
    expect((await timedGet(anonymous, '/books')).status).toBe(200);
    expect((await timedGet(anonymous, `/books/${bookId}`)).status).toBe(200);
  }

  it('answers signed-in pages with 503 within 2 s while Redis is stopped, and recovers by itself when it is back', async () => {
    await expectSignedInWorking();
    const traffic = backgroundTraffic(ada, ['/books/mine', `/books/${bookId}`]);

    await redis.stop();
    await expectSignedInUnavailable();
    await redis.start();
    await eventually(expectSignedInWorking, { timeoutMs: 10_000 });

    const answers = await traffic.stop();
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect([200, 503]).toContain(answer.status);
      expect(answer.ms).toBeLessThan(OUTAGE_ANSWER_MS);
    }
  });

  it('answers signed-in pages with 503 within 2 s while Redis accepts connections but does not answer, and recovers', async () => {
    await expectSignedInWorking();

    redis.freeze();
    try {
      await expectSignedInUnavailable();
    } finally {
      redis.thaw();
    }

    await eventually(expectSignedInWorking, { timeoutMs: 10_000 });
  });
});

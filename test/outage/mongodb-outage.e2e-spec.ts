import { type RunningApp, startApp } from '../helpers/app-process';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { type Jongodb, jongodbUnavailable, startJongodb } from '../helpers/jongodb';
import { WebClient } from '../helpers/web-client';
import { addBook, backgroundTraffic, OUTAGE_ANSWER_MS, timedGet } from './outage-probe';

/**
 * The app on its own jongodb (books and sessions both live there), which the test freezes, stops and
 * brings back while the app keeps running: 503 pages within 2 s during the outage, and normal pages
 * again afterwards without restarting the app. jongodb keeps its data in memory: a frozen server keeps
 * it, a stopped one comes back empty.
 */
describeWhen(jongodbUnavailable())('The app during a MongoDB outage', () => {
  let server: Jongodb;
  let app: RunningApp;
  let ada: WebClient;
  let anonymous: WebClient;
  let bookId: string;

  beforeAll(async () => {
    server = await startJongodb();
    app = await startApp({ DATA_BACKEND: 'mongodb', MONGODB_URL: server.url });
    ada = new WebClient(app.baseUrl);
    anonymous = new WebClient(app.baseUrl);
    await ada.signIn('ada@example.com', 'Ada Lovelace');
    bookId = await addBook(ada, 'Surviving outages');
  });

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  /** Every page a visitor or a signed-in person may ask for, and readiness. */
  function probes() {
    return [
      timedGet(anonymous, '/books'),
      timedGet(anonymous, `/books/${bookId}`),
      timedGet(ada, '/books/mine'),
      timedGet(ada, `/books/${bookId}/edit`),
      timedGet(anonymous, '/readyz'),
    ];
  }

  async function expectWorking(): Promise<void> {
    const answers = await Promise.all(probes());
    expect(answers.map((a) => [a.path, a.status])).toEqual(answers.map((a) => [a.path, 200]));
    const mine = await ada.get('/books/mine');
    expect(mine.body).toContain('Ada Lovelace');
    expect(mine.body).toContain('Surviving outages');
  }

  async function expectUnavailable(): Promise<void> {
    const answers = await Promise.all(probes());
    for (const answer of answers) {
      expect(answer).toEqual({ path: answer.path, status: 503, ms: expect.any(Number) });
      expect(answer.ms).toBeLessThan(OUTAGE_ANSWER_MS);
    }
    const page = await anonymous.get('/books');
    expect(page.body).toContain('cannot reach its database');
    expect((await timedGet(anonymous, '/healthz')).status).toBe(200);
  }

  it('answers 503 pages within 2 s while the server accepts connections but does not answer, and recovers with its data', async () => {
    await expectWorking();

    server.freeze();
    try {
      await expectUnavailable();
    } finally {
      server.thaw();
    }

    await eventually(expectWorking, { timeoutMs: 10_000 });
  });

  it('answers 503 pages within 2 s while the server is stopped, and serves pages again once it is back', async () => {
    await expectWorking();
    const port = Number(/:(\d+)\//.exec(server.url)![1]);
    const traffic = backgroundTraffic(new WebClient(app.baseUrl), ['/books', `/books/${bookId}`, '/readyz']);

    await server.stop();
    await expectUnavailable();
    server = await startJongodb({ port });
    await eventually(
      async () => {
        expect((await timedGet(anonymous, '/books')).status).toBe(200);
        expect((await timedGet(anonymous, '/readyz')).status).toBe(200);
      },
      { timeoutMs: 10_000 },
    );

    const answers = await traffic.stop();
    expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    for (const answer of answers) {
      // The book is gone with the old server's memory: 404 once the new one answers.
      expect([200, 404, 503]).toContain(answer.status);
      expect(answer.ms).toBeLessThan(OUTAGE_ANSWER_MS);
    }
  });
});

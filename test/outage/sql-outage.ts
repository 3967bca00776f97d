import { type RunningApp, startApp } from '../helpers/app-process';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import type { PrivateServer } from '../helpers/sql-servers';
import { WebClient } from '../helpers/web-client';
import { addBook, backgroundTraffic, OUTAGE_ANSWER_MS, timedGet } from './outage-probe';

/**
 * The app on a private SQL server of its own (books and sessions both live there), which the test stops,
 * freezes and brings back while the app keeps running: 503 pages within 2 s during the outage, and
 * normal pages again afterwards without restarting the app.
 */
export function describeSqlOutage(engine: string, unavailable: string | null, startServer: () => Promise<PrivateServer>): void {
  describeWhen(unavailable)(`The app during a ${engine} outage`, () => {
    let database: PrivateServer;
    let app: RunningApp;
    let ada: WebClient;
    let anonymous: WebClient;
    let bookId: string;

    beforeAll(async () => {
      database = await startServer();
      app = await startApp({ DATA_BACKEND: 'sql', SQL_URL: database.url });
      ada = new WebClient(app.baseUrl);
      anonymous = new WebClient(app.baseUrl);
      await ada.signIn('ada@example.com', 'Ada Lovelace');
      bookId = await addBook(ada, 'Surviving outages');
    });

    afterAll(async () => {
      await app?.stop();
      await database?.close();
    });

    /** Pages for a visitor and for a signed-in person (whose session is in the database too), and readiness. */
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
      // Liveness does not depend on the database: the process is fine and must not be restarted.
      expect((await timedGet(anonymous, '/healthz')).status).toBe(200);
    }

    it('answers 503 pages within 2 s while the database is stopped, and recovers by itself when it is back', async () => {
      await expectWorking();
      const traffic = backgroundTraffic(new WebClient(app.baseUrl), ['/books', `/books/${bookId}`, '/readyz']);

      await database.stop();
      await expectUnavailable();
      await database.start();
      await eventually(expectWorking, { timeoutMs: 10_000 });

      const answers = await traffic.stop();
      expect(answers.filter((a) => a.status === 503).length).toBeGreaterThan(0);
      for (const answer of answers) {
        expect([200, 503]).toContain(answer.status);
        expect(answer.ms).toBeLessThan(OUTAGE_ANSWER_MS);
      }
    });

    it('answers 503 pages within 2 s while the database accepts connections but does not answer, and recovers', async () => {
      await expectWorking();

      database.freeze();
      try {
        await expectUnavailable();
      } finally {
        database.thaw();
      }

      await eventually(expectWorking, { timeoutMs: 10_000 });
    });
  });
}

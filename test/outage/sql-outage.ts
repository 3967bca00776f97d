import { type RunningApp, startApp } from '../helpers/app-process';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import type { PrivateServer } from '../helpers/sql-servers';
import { expectOutageAnswers, OutageScene } from './outage-probe';

/**
 * The app on a private SQL server of its own (books and sessions both live there), which the test stops,
 * freezes and brings back while the app keeps running: 503 pages within 2 s during the outage, and
 * normal pages again afterwards without restarting the app.
 */
export function describeSqlOutage(engine: string, unavailable: string | null, startServer: () => Promise<PrivateServer>): void {
  describeWhen(unavailable)(`The app during a ${engine} outage`, () => {
    let database: PrivateServer;
    let app: RunningApp;
    let scene: OutageScene;

    beforeAll(async () => {
      database = await startServer();
      app = await startApp({ DATA_BACKEND: 'sql', SQL_URL: database.url });
      scene = await OutageScene.open(app.baseUrl);
    });

    afterAll(async () => {
      await app?.stop();
      await database?.close();
    });

    it('answers 503 pages within 2 s while the database is stopped, and recovers by itself when it is back', async () => {
      await scene.expectWorking();
      const traffic = scene.traffic();

      await database.stop();
      await scene.expectUnavailable();
      await database.start();
      await eventually(() => scene.expectWorking(), { timeoutMs: 10_000 });

      expectOutageAnswers(await traffic.stop());
    });

    it('answers 503 pages within 2 s while the database accepts connections but does not answer, and recovers', async () => {
      await scene.expectWorking();

      database.freeze();
      try {
        await scene.expectUnavailable();
      } finally {
        database.thaw();
      }

      await eventually(() => scene.expectWorking(), { timeoutMs: 10_000 });
    });
  });
}

import { type RunningApp, startApp } from '../helpers/app-process';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { type Jongodb, jongodbUnavailable, startJongodb } from '../helpers/jongodb';
import { expectOutageAnswers, OutageScene } from './outage-probe';

/**
 * The app on its own jongodb (books and sessions both live there), which the test freezes, stops and
 * brings back while the app keeps running: 503 pages within 2 s during the outage, and normal pages
 * again afterwards without restarting the app. jongodb keeps its data in memory: a frozen server keeps
 * it, a stopped one comes back empty.
 */
describeWhen(jongodbUnavailable())('The app during a MongoDB outage', () => {
  let server: Jongodb;
  let app: RunningApp;
  let scene: OutageScene;

  beforeAll(async () => {
    server = await startJongodb();
    app = await startApp({ DATA_BACKEND: 'mongodb', MONGODB_URL: server.url });
    scene = await OutageScene.open(app.baseUrl);
  });

  afterAll(async () => {
    await app?.stop();
    await server?.stop();
  });

  it('answers 503 pages within 2 s while the server accepts connections but does not answer, and recovers with its data', async () => {
    await scene.expectWorking();

    server.freeze();
    try {
      await scene.expectUnavailable();
    } finally {
      server.thaw();
    }

    await eventually(() => scene.expectWorking(), { timeoutMs: 10_000 });
  });

  it('answers 503 pages within 2 s while the server is stopped, and serves pages again once it is back', async () => {
    await scene.expectWorking();
    const port = Number(/:(\d+)\//.exec(server.url)![1]);
    const traffic = scene.traffic();

    await server.stop();
    await scene.expectUnavailable();
    server = await startJongodb({ port });
    await eventually(() => scene.expectServingAgain(), { timeoutMs: 10_000 });

    // The book is gone with the old server's memory: 404 once the new one answers.
    expectOutageAnswers(await traffic.stop(), [200, 404]);
  });
});

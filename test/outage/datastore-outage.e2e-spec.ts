import { type RunningApp, startApp } from '../helpers/app-process';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { type DatastoreEmulator, datastoreEmulatorUnavailable, startDatastoreEmulator } from '../helpers/datastore-emulator';
import { expectOutageAnswers, OutageScene } from './outage-probe';

/**
 * The app on its own Datastore emulator (books and sessions both live there), which the test freezes,
 * stops and brings back while the app keeps running: 503 pages within 2 s during the outage, and normal
 * pages again afterwards without restarting the app. The emulator keeps its data in memory: a frozen one
 * keeps it, a stopped one comes back empty. Optional even in CI, like every Datastore suite.
 */
describeWhen(datastoreEmulatorUnavailable(), { optionalInCi: true })('The app during a Datastore outage', () => {
  let emulator: DatastoreEmulator;
  let app: RunningApp;
  let scene: OutageScene;

  beforeAll(async () => {
    emulator = (await startDatastoreEmulator())!;
    app = await startApp({
      DATA_BACKEND: 'datastore',
      GOOGLE_CLOUD_PROJECT: emulator.projectId,
      DATASTORE_EMULATOR_HOST: emulator.host,
      METADATA_SERVER_DETECTION: 'none',
    });
    scene = await OutageScene.open(app.baseUrl);
  });

  afterAll(async () => {
    await app?.stop();
    await emulator?.stop();
  });

  it('answers 503 pages within 2 s while the emulator accepts connections but does not answer, and recovers with its data', async () => {
    await scene.expectWorking();

    emulator.freeze();
    try {
      await scene.expectUnavailable();
    } finally {
      emulator.thaw();
    }

    await eventually(() => scene.expectWorking(), { timeoutMs: 10_000 });
  });

  it('answers 503 pages within 2 s while the emulator is stopped, and serves pages again once it is back', async () => {
    await scene.expectWorking();
    const port = Number(emulator.host.split(':')[1]);
    const traffic = scene.traffic();

    await emulator.stop();
    await scene.expectUnavailable();
    emulator = (await startDatastoreEmulator({ port }))!;
    await eventually(() => scene.expectServingAgain(), { timeoutMs: 15_000 });

    // The book is gone with the old emulator's memory: 404 once the new one answers.
    expectOutageAnswers(await traffic.stop(), [200, 404]);
  });
});

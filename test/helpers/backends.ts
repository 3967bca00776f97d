import { datastoreEmulatorUnavailable, startDatastoreEmulator } from './datastore-emulator';
import { startTestMongo, testMongoUnavailable } from './jongodb';
import { describeWhen } from './skip-or-fail';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type TestDatabase,
} from './sql-servers';

export { describeWhen } from './skip-or-fail';

/**
 * The data backends the end-to-end suites run against. A backend whose server is missing goes through
 * the one skip-or-fail policy, `describeWhen` (skip-or-fail.ts): skipped with its reason as the test's
 * name on a developer machine; failing with CI=true, except for the backends marked `optionalInCi` (the
 * Datastore emulator, which some machine images cannot install).
 */
export interface StartedBackend {
  /** Settings for `startApp(env)` or `startInProcessApp(env)`. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface E2eBackend {
  name: string;
  /** Why this backend cannot run here, or null. Synchronous, so that `describeWhen` can decide at once. */
  unavailable(): string | null;
  optionalInCi?: boolean;
  /** Prepares fresh, empty storage for one suite. Throws when the server is missing (check `unavailable` first). */
  start(): Promise<StartedBackend>;
}

/** What `describeOnEveryBackend` gives a suite: the backend's name, and the settings to start an app on it. */
export interface BackendUnderTest {
  /** `sql-sqlite`, `sql-postgres`, `sql-mysql`, `mongodb` or `datastore`. */
  name: string;
  /**
   * The settings that point an app at this backend's fresh, empty storage, for `startInProcessApp(env)`
   * (fast) or `startApp(env)` (the built app as its own process). Read it in `beforeAll` or later: the
   * backend starts in a `beforeAll` that runs before the suite's own.
   */
  readonly env: Record<string, string>;
}

/**
 * Runs `suite` once per data backend (SQLite, PostgreSQL, MariaDB, MongoDB through jongodb or MONGODB_URL,
 * the Datastore emulator), each in a `describe` named `${name} on ${backend}` with storage of its own,
 * started before the suite's `beforeAll` hooks and stopped after its `afterAll` hooks. A backend that
 * cannot run here goes through `describeWhen`: skipped, saying why, or failing under CI=true.
 *
 * A feature's HTTP tests join every backend with one file:
 *
 *   describeOnEveryBackend('shelves', (backend) => {
 *     let app: InProcessApp;
 *     beforeAll(async () => (app = await startInProcessApp(backend.env)));
 *     afterAll(() => app?.close());
 *     it('...', async () => { ... });
 *   });
 */
export function describeOnEveryBackend(name: string, suite: (backend: BackendUnderTest) => void): void {
  for (const candidate of e2eBackends()) {
    describeWhen(candidate.unavailable(), candidate)(`${name} on ${candidate.name}`, () => {
      let started: StartedBackend | undefined;
      let failed: unknown;
      beforeAll(async () => {
        try {
          started = await candidate.start();
        } catch (error) {
          failed = error;
          throw error;
        }
      });
      suite({
        name: candidate.name,
        get env() {
          if (failed) throw new Error(`${candidate.name} did not start: ${String(failed)}`);
          if (!started) throw new Error(`${candidate.name} has not started: read backend.env in beforeAll or a test, not while collecting`);
          return started.env;
        },
      });
      // Declared after the suite's hooks: Jest runs afterAll hooks in the order they were declared, so
      // the suite has closed its app before its database goes away.
      afterAll(async () => {
        await started?.stop();
      });
    });
  }
}

/**
 * SQLite (always), then PostgreSQL and MariaDB where their servers are (`describeWhen`): `describeOne` gets
 * each engine's name and a way to make a fresh database on it.
 */
export function describeEverySqlEngine(describeOne: (engine: string, createDatabase: () => Promise<TestDatabase>) => void): void {
  describeOne('SQLite', createSqliteDatabase);
  describeWhen(postgresUnavailable())('PostgreSQL', () => describeOne('PostgreSQL', () => createPostgresDatabase()));
  describeWhen(mysqlUnavailable())('MariaDB', () => describeOne('MariaDB', () => createMysqlDatabase()));
}

/** Runs `start` when the server is there; throws with the reason otherwise. */
async function ifAvailable(backend: Omit<E2eBackend, 'start'>, start: () => Promise<StartedBackend>): Promise<StartedBackend> {
  const reason = backend.unavailable();
  if (reason !== null) throw new Error(`${backend.name} cannot start: ${reason}`);
  return start();
}

function sqlBackend(name: string, unavailable: () => string | null, create: () => Promise<TestDatabase>): E2eBackend {
  const backend = { name, unavailable };
  return {
    ...backend,
    start: () =>
      ifAvailable(backend, async () => {
        const database = await create();
        return { env: { DATA_BACKEND: 'sql', SQL_URL: database.url }, stop: () => database.drop() };
      }),
  };
}

/** Every backend the end-to-end suites loop over. Other backends append their entries here. */
export function e2eBackends(): E2eBackend[] {
  return [
    {
      name: 'sql-sqlite',
      // startApp and startInProcessApp already point SQL_URL at a throw-away SQLite file.
      unavailable: () => null,
      start: async () => ({ env: {}, stop: async () => {} }),
    },
    sqlBackend('sql-postgres', postgresUnavailable, createPostgresDatabase),
    sqlBackend('sql-mysql', mysqlUnavailable, createMysqlDatabase),
    mongoBackend(),
    datastoreBackend(),
  ];
}

/** jongodb of its own per suite (or a throw-away database on the real server at MONGODB_URL). */
function mongoBackend(): E2eBackend {
  const backend = { name: 'mongodb', unavailable: testMongoUnavailable };
  return {
    ...backend,
    start: () =>
      ifAvailable(backend, async () => {
        const server = await startTestMongo();
        return { env: { DATA_BACKEND: 'mongodb', MONGODB_URL: server.url }, stop: () => server.stop() };
      }),
  };
}

/** A Datastore emulator of its own per suite; skipped, even in CI, where none is installed. */
function datastoreBackend(): E2eBackend {
  const backend = { name: 'datastore', unavailable: datastoreEmulatorUnavailable, optionalInCi: true };
  return {
    ...backend,
    start: () =>
      ifAvailable(backend, async () => {
        const emulator = await startDatastoreEmulator();
        if (!emulator) throw new Error('The Datastore emulator did not start');
        const env = {
          DATA_BACKEND: 'datastore',
          GOOGLE_CLOUD_PROJECT: emulator.projectId,
          DATASTORE_EMULATOR_HOST: emulator.host,
          METADATA_SERVER_DETECTION: 'none',
        };
        return { env, stop: () => emulator.stop() };
      }),
  };
}

import { datastoreEmulatorUnavailable, startDatastoreEmulator } from './datastore-emulator';
import { startTestMongo, testMongoUnavailable } from './jongodb';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  createSqliteDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type TestDatabase,
} from './sql-servers';

/**
 * The data backends the end-to-end suites run against, and the one skip policy for missing servers:
 * on a developer machine a suite whose server is missing is skipped with a loud message; with CI=true it
 * fails instead, except for the backends marked `optionalInCi` (the Datastore emulator, which some
 * machine images cannot install).
 */
export interface StartedBackend {
  /** Settings for `startApp(env)`. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface E2eBackend {
  name: string;
  /** Why this backend cannot run here, or null. Synchronous, so a suite can choose `describe.skip`. */
  unavailable(): string | null;
  optionalInCi?: boolean;
  /** Prepares fresh, empty storage for one suite; null (after a loud warning) when the server is missing. */
  start(): Promise<StartedBackend | null>;
}

/**
 * `describe` when `unavailable` is null. Otherwise a loud warning and `describe.skip` on a developer
 * machine, or a suite that fails with the reason under CI=true (unless the backend is optional there).
 */
/**
 * SQLite (always), then PostgreSQL and MariaDB where their servers are (`describeWhen`): `describeOne` gets
 * each engine's name and a way to make a fresh database on it.
 */
export function describeEverySqlEngine(describeOne: (engine: string, createDatabase: () => Promise<TestDatabase>) => void): void {
  describeOne('SQLite', createSqliteDatabase);
  describeWhen(postgresUnavailable())('PostgreSQL', () => describeOne('PostgreSQL', () => createPostgresDatabase()));
  describeWhen(mysqlUnavailable())('MariaDB', () => describeOne('MariaDB', () => createMysqlDatabase()));
}

export function describeWhen(unavailable: string | null, options: { optionalInCi?: boolean } = {}): jest.Describe {
  if (unavailable === null) return describe;
  if (process.env.CI === 'true' && !options.optionalInCi) {
    const failing = ((name: string) =>
      describe(name, () => {
        it('has the server it needs', () => {
          throw new Error(`${unavailable} (CI=true: a missing server fails the run)`);
        });
      })) as unknown as jest.Describe;
    return failing;
  }
  warnSkipped(unavailable);
  return describe.skip;
}

function warnSkipped(reason: string): void {
  const line = '*'.repeat(100);
  console.warn(`\n${line}\n*** SKIPPED: ${reason}\n${line}\n`);
}

/** Runs `start` when the server is there; else warns and answers null, or throws under CI=true. */
async function ifAvailable(backend: Omit<E2eBackend, 'start'>, start: () => Promise<StartedBackend>): Promise<StartedBackend | null> {
  const reason = backend.unavailable();
  if (reason === null) return start();
  if (process.env.CI === 'true' && !backend.optionalInCi) throw new Error(`${backend.name}: ${reason} (CI=true)`);
  warnSkipped(`${backend.name}: ${reason}`);
  return null;
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
      // startApp already points SQL_URL at a throw-away SQLite file.
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

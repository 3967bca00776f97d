import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, stopProcess } from './app-process';
import { eventually } from './eventually';
import { freeze } from './freeze';

/**
 * Real database servers for the contract and outage suites (docs/testing.md).
 *
 * - The machine's running PostgreSQL, MariaDB and Redis: each suite gets a database of its own
 *   (`bookshelf_test_<random>`, dropped afterwards) or a key prefix of its own, so suites run in parallel.
 *   Override the servers with TEST_POSTGRES_URL, TEST_MYSQL_URL and TEST_REDIS_URL.
 * - Private throw-away PostgreSQL, MariaDB and Redis servers (own folder, own port) for the outage suites,
 *   which stop, freeze and restart them without disturbing anyone else.
 *
 * The `...Unavailable()` checks are synchronous, so that a suite can decide between `describe` and
 * `describe.skip` (see `describeWhen` in backends.ts); they return why a server cannot be used, or null.
 */
const run = promisify(execFile);

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const MYSQL_ADMIN_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const START_HINT = 'start it as docs/testing.md says (.ci/run does)';

const MARIADBD = '/usr/sbin/mariadbd';
const MARIADB_INSTALL_DB = '/usr/bin/mariadb-install-db';
const REDIS_SERVER = '/usr/bin/redis-server';
const asRoot = process.getuid?.() === 0;

export function postgresUnavailable(): string | null {
  return answers(POSTGRES_ADMIN_URL) ? null : `PostgreSQL is not answering at ${POSTGRES_ADMIN_URL}: ${START_HINT}`;
}

export function mysqlUnavailable(): string | null {
  return answers(MYSQL_ADMIN_URL) ? null : `MariaDB/MySQL is not answering at ${MYSQL_ADMIN_URL}: ${START_HINT}`;
}

export function redisUnavailable(): string | null {
  return answers(REDIS_URL) ? null : `Redis is not answering at ${REDIS_URL}: ${START_HINT}`;
}

export function privatePostgresUnavailable(): string | null {
  if (!postgresBin()) return 'PostgreSQL server binaries (initdb, pg_ctl) are not installed in /usr/lib/postgresql/*/bin';
  return asRoot && !userExists('postgres') ? 'running as root, and there is no `postgres` user to run PostgreSQL as' : null;
}

export function privateMariadbUnavailable(): string | null {
  if (!existsSync(MARIADBD) || !existsSync(MARIADB_INSTALL_DB)) return `${MARIADBD} or ${MARIADB_INSTALL_DB} is not installed`;
  return asRoot && !userExists('mysql') ? 'running as root, and there is no `mysql` user to run MariaDB as' : null;
}

export function privateRedisUnavailable(): string | null {
  return existsSync(REDIS_SERVER) ? null : `${REDIS_SERVER} is not installed`;
}

const probed = new Map<string, boolean>();

/** Whether something accepts TCP connections at the URL's host and port (checked once per process). */
function answers(url: string): boolean {
  const { hostname, port } = new URL(url);
  const defaultPort = url.startsWith('mysql') ? 3306 : url.startsWith('redis') ? 6379 : 5432;
  const key = `${hostname}:${port || defaultPort}`;
  if (!probed.has(key)) {
    const probe = `require('net').connect(${Number(port || defaultPort)}, ${JSON.stringify(hostname)})
      .on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
    probed.set(key, spawnSync(process.execPath, ['-e', probe], { timeout: 3000 }).status === 0);
  }
  return probed.get(key)!;
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file in a temporary folder of its own. */
export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-sqlite-'));
  return { url: `sqlite:${join(dir, 'test.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

function testDatabaseName(): string {
  return `bookshelf_test_${randomBytes(6).toString('hex')}`;
}

/**
 * A fresh PostgreSQL database. It is created with a linguistic (ICU) default collation where the server
 * has ICU, so that only the migration's `COLLATE "C"` can make the list order bytewise.
 */
export async function createPostgresDatabase(adminUrl = POSTGRES_ADMIN_URL): Promise<TestDatabase> {
  const { Client } = await import('pg');
  const name = testDatabaseName();
  await withPg(Client, adminUrl, async (client) => {
    try {
      await client.query(`create database ${name} template template0 encoding 'UTF8' locale_provider icu icu_locale 'en-US'`);
    } catch {
      await client.query(`create database ${name}`);
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withPg(Client, adminUrl, async (client) => void (await client.query(`drop database if exists ${name} with (force)`))),
  };
}

async function withPg<T>(Client: typeof import('pg').Client, url: string, work: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh MariaDB/MySQL database whose default character set is latin1, so that only the migration's
 * `utf8mb4` / `utf8mb4_bin` declarations can store emoji and order bytewise.
 */
export async function createMysqlDatabase(adminUrl = MYSQL_ADMIN_URL): Promise<TestDatabase> {
  const mysql = await import('mysql2/promise');
  const name = testDatabaseName();
  const admin = async (statement: string) => {
    const connection = await mysql.createConnection({ uri: adminUrl, connectTimeout: 5000 });
    try {
      await connection.query(statement);
    } finally {
      await connection.end();
    }
  };
  await admin(`create database ${name} character set latin1 collate latin1_swedish_ci`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name}`) };
}

/**
 * A server the test owns. `stop()` and `start()` it for an outage (connections refused); `freeze()` and
 * `thaw()` it (SIGSTOP / SIGCONT) for a server that accepts connections but never answers, as behind a
 * network partition. `close()` removes it.
 */
export interface PrivateServer {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

/** Sends `signal` to a process the test started, and to its children (PostgreSQL's backends). */
function signalTree(pid: number, signal: NodeJS.Signals): void {
  process.kill(pid, signal);
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  for (const child of children ? children.split(' ').map(Number) : []) {
    try {
      process.kill(child, signal);
    } catch (error) {
      // A backend that ended between the listing and the signal (a connection the app just closed).
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

/** A system user's uid and gid. */
function idsOf(user: string): [number, number] {
  return [Number(execFileSync('id', ['-u', user]).toString()), Number(execFileSync('id', ['-g', user]).toString())];
}

function userExists(user: string): boolean {
  return spawnSync('id', ['-u', user], { stdio: 'ignore' }).status === 0;
}

function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin/initdb')) && existsSync(join(root, v, 'bin/pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], 'bin') : null;
}

/** A throw-away PostgreSQL cluster in a temp folder on a free port (about a second to start). */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const bin = postgresBin();
  if (!bin) throw new Error(privatePostgresUnavailable()!);
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` user.
  const owner = asRoot ? 'postgres' : null;
  if (owner) chownSync(dir, ...idsOf(owner));
  const command = (tool: string, args: string[]): [string, string[]] =>
    owner ? ['runuser', ['-u', owner, '--', join(bin, tool), ...args]] : [join(bin, tool), args];
  const pg = (tool: string, args: string[]) => run(...command(tool, args));
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const ctl = (...args: string[]) => pg('pg_ctl', ['-D', data, '-l', join(dir, 'log'), ...args]);
  const stopNow = () => {
    try {
      execFileSync(...command('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    } catch {
      // not running
    }
  };
  const postmaster = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);

  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  // If Jest is killed before afterAll, the cluster must not outlive the test run.
  process.once('exit', stopNow);
  const server: PrivateServer = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => void (await ctl('-o', options, '-w', '-t', '20', 'start')),
    // `fast`: the server ends every session and shuts down, as in a maintenance restart or failover.
    stop: async () => void (await ctl('-m', 'fast', '-w', 'stop')),
    // The postmaster first, so that it forks no new backend while they are being stopped.
    freeze: () => signalTree(postmaster(), 'SIGSTOP'),
    thaw: () => signalTree(postmaster(), 'SIGCONT'),
    close: async () => {
      process.removeListener('exit', stopNow);
      if (existsSync(join(data, 'postmaster.pid'))) signalTree(postmaster(), 'SIGCONT');
      stopNow();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/**
 * A throw-away MariaDB server in a temp folder on a free port, run as a child process (about 7 s to
 * install, 1 s to start), with an empty database `bookshelf`.
 */
export async function startPrivateMariadb(): Promise<PrivateServer> {
  if (privateMariadbUnavailable()) throw new Error(privateMariadbUnavailable()!);
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-mariadb-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // As root, the server drops to the `mysql` user, which must own its folder.
  if (asRoot) chownSync(dir, ...idsOf('mysql'));
  const common = ['--no-defaults', '--user=mysql', `--datadir=${data}`];
  await run(MARIADB_INSTALL_DB, [...common, '--auth-root-authentication-method=normal', '--skip-test-db']);
  const args = [
    ...common,
    `--socket=${join(dir, 's.sock')}`,
    '--bind-address=127.0.0.1',
    `--port=${port}`,
    '--skip-log-bin',
    '--innodb-buffer-pool-size=16M',
    // MariaDB 10.11 would default to latin1 without a config file; the migrations declare utf8mb4 anyway.
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_bin',
  ];
  const mysql = await import('mysql2/promise');
  const admin = `mysql://root@127.0.0.1:${port}/`;
  return startChildServer(`${admin}bookshelf`, MARIADBD, args, dir, async () => {
    await eventually(
      async () => {
        const connection = await mysql.createConnection({ uri: admin, connectTimeout: 500 });
        await connection.query('create database if not exists bookshelf');
        await connection.end();
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
  });
}

/**
 * A private redis-server on a free port, run as a child process. It saves its data when stopped
 * and loads it again when started, like a production Redis with persistence, so sessions survive.
 */
export async function startPrivateRedis(): Promise<PrivateServer> {
  if (!existsSync(REDIS_SERVER)) throw new Error(privateRedisUnavailable()!);
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '3600 1', '--appendonly', 'no'];
  return startChildServer(`redis://127.0.0.1:${port}`, REDIS_SERVER, args, dir, async () => {
    await eventually(
      async () => {
        if (!(await ping(port))) throw new Error(`redis-server on port ${port} is not answering`);
      },
      { timeoutMs: 10_000, intervalMs: 25 },
    );
  });
}

/**
 * A server run as our own child process from `dir`: started, stopped, frozen and thawed by the test,
 * killed if the test process exits first, its folder removed on close.
 */
async function startChildServer(
  url: string,
  binary: string,
  args: string[],
  dir: string,
  ready: () => Promise<void>,
): Promise<PrivateServer> {
  let child: ChildProcess | undefined;
  const killNow = () => child?.kill('SIGKILL');
  process.once('exit', killNow);
  const server: PrivateServer = {
    url,
    async start() {
      child = spawn(binary, args, { stdio: 'ignore' });
      await ready();
    },
    async stop() {
      if (child) await stopProcess(child);
      child = undefined;
    },
    freeze: () => freeze(child!.pid!),
    thaw: () => child?.kill('SIGCONT'),
    async close() {
      process.removeListener('exit', killNow);
      server.thaw();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freeze } from './freeze';
import { stopProcess } from './app-process';

const ROOT = resolve(__dirname, '../..');
const BINARY = resolve(ROOT, 'node_modules/@jongodb/memory-server-bin-linux-x64-gnu/bin/jongodb');
const STARTUP_TIMEOUT_MS = 10_000;

/**
 * MongoDB for tests (docs/testing.md): jongodb, an in-memory server that speaks the MongoDB wire protocol,
 * or, when the test process has MONGODB_URL, that real server (a database of its own per suite).
 *
 * Where jongodb differs from MongoDB, the adapters are written for MongoDB, and the tests that tell
 * the two apart run only on a real server (`real`). Known differences: jongodb compares strings by
 * UTF-16 code units (MongoDB: UTF-8 bytes), and lacks `create`, `drop`, `dropDatabase`, `listCollections`.
 */
export interface TestMongo {
  /** A connection string with the database in its path. */
  url: string;
  /** A real MongoDB server (MONGODB_URL), not jongodb. */
  real: boolean;
  stop(): Promise<void>;
}

/** Why jongodb cannot run here, or null. */
export function jongodbUnavailable(): string | null {
  return existsSync(BINARY)
    ? null
    : `jongodb is not installed (Linux x64 only; not a dependency so that npm install works everywhere): npm install --no-save @jongodb/memory-server-bin-linux-x64-gnu@0.1.6`;
}

/** Why `startTestMongo` cannot run here, or null. */
export function testMongoUnavailable(): string | null {
  return process.env.MONGODB_URL ? null : jongodbUnavailable();
}

/** A fresh jongodb server on a loopback port (a free one unless given); `stop` ends it (and its data). */
export interface Jongodb {
  url: string;
  stop(): Promise<void>;
  /** Stops the process without closing its sockets (a server that accepts but never answers) ... */
  freeze(): void;
  /** ... and lets it go on, with its data. */
  thaw(): void;
}

export async function startJongodb({ database = 'bookshelf', port = 0 } = {}): Promise<Jongodb> {
  const child = spawn(BINARY, ['--host=127.0.0.1', `--port=${port}`, `--database=${database}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  // Kept reading for as long as it runs, so that the pipes never fill up.
  child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    // It prints JONGODB_URI=mongodb://127.0.0.1:PORT/NAME once it listens.
    const onOutput = () => {
      const match = /JONGODB_URI=(\S+)/.exec(output);
      if (match) {
        settle();
        resolveUrl(match[1]);
      }
    };
    const onExit = (code: number | null) => fail(`exited with ${code}`);
    const timer = setTimeout(() => fail(`did not start within ${STARTUP_TIMEOUT_MS} ms`), STARTUP_TIMEOUT_MS);
    function settle() {
      clearTimeout(timer);
      child.stdout.off('data', onOutput);
      child.off('exit', onExit);
    }
    function fail(reason: string) {
      settle();
      child.kill('SIGKILL');
      reject(new Error(`jongodb ${reason}:\n${output}`));
    }
    child.stdout.on('data', onOutput);
    child.once('exit', onExit);
    child.once('error', (error) => fail(String(error)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGCONT'); // a frozen process would not act on SIGTERM
      await stopProcess(child);
    },
    freeze: () => freeze(child.pid!),
    thaw: () => void child.kill('SIGCONT'),
  };
}

/** jongodb, or the real server at MONGODB_URL with a throw-away database that `stop` drops. */
export async function startTestMongo(): Promise<TestMongo> {
  const realUrl = process.env.MONGODB_URL;
  if (!realUrl) return { ...(await startJongodb()), real: false };
  // The same server and options, another database (hosts may be a list, which URL cannot parse).
  const url = realUrl.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)\/?[^?]*/, `$1/bookshelf_test_${randomBytes(6).toString('hex')}`);
  return {
    url,
    real: true,
    async stop() {
      const mongoose = await import('mongoose');
      const connection = await mongoose.createConnection(url, { serverSelectionTimeoutMS: 5000 }).asPromise();
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

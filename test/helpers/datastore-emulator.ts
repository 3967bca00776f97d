import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { freePort } from './app-process';

const ROOT = resolve(__dirname, '../..');
const PLATFORM = '/usr/lib/google-cloud-sdk/platform';
/** The legacy Datastore emulator: the only one that enforces index.yaml (`--require_indexes`). */
const DATASTORE_EMULATOR = `${PLATFORM}/cloud-datastore-emulator/cloud_datastore_emulator`;
/** The Firestore emulator in Datastore mode: no index enforcement; used when the other is missing. */
const FIRESTORE_EMULATOR = `${PLATFORM}/cloud-firestore-emulator/cloud_firestore_emulator`;
const INDEX_FILE = resolve(ROOT, 'index.yaml');
const STARTUP_TIMEOUT_MS = 60_000;

export interface DatastoreEmulator {
  /** For DATASTORE_EMULATOR_HOST. */
  host: string;
  projectId: string;
  /** Whether a query whose composite index is missing from index.yaml fails (the legacy emulator). */
  enforcesIndexes: boolean;
  /** Deletes every entity. */
  reset(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the emulator's processes without closing their sockets (a service that never answers) ... */
  freeze(): void;
  /** ... and lets them go on, with their data. */
  thaw(): void;
}

/** Why no emulator can run here, or null. The emulators cannot be installed on some machine images. */
export function datastoreEmulatorUnavailable(): string | null {
  if (!existsSync(DATASTORE_EMULATOR) && !existsSync(FIRESTORE_EMULATOR)) {
    return `no Datastore emulator in ${PLATFORM} (gcloud components install cloud-datastore-emulator)`;
  }
  if (spawnSync('java', ['-version']).status !== 0) return 'the Datastore emulators need Java (17), which is not installed';
  return null;
}

function warnLoudly(message: string): void {
  const line = '*'.repeat(100);
  console.warn(`\n${line}\n*** ${message}\n${line}\n`);
}

/**
 * Starts an emulator of Firestore in Datastore mode on a loopback port (a free one unless given). Throws
 * when none is installed: suites decide beforehand with `describeWhen(datastoreEmulatorUnavailable(),
 * { optionalInCi: true })`, which skips them, saying why, even under CI (see docs/testing.md).
 *
 * Preferred: the legacy emulator with `--firestore_in_datastore_mode` (strongly consistent queries,
 * like production) and `--require_indexes --index_file=index.yaml`, so a query that needs a composite
 * index missing from index.yaml fails here as it would in production. `--testing` keeps data in memory
 * and never rewrites index.yaml. The Firestore emulator (docs/testing.md's usual choice) has no such
 * option; it is the fallback, with a warning that indexes go unchecked.
 */
export async function startDatastoreEmulator({ port = 0 } = {}): Promise<DatastoreEmulator> {
  const reason = datastoreEmulatorUnavailable();
  if (reason) throw new Error(`No Datastore emulator can start here: ${reason}`);
  port ||= await freePort();
  const address = [`--host=127.0.0.1`, `--port=${port}`];
  const enforcesIndexes = existsSync(DATASTORE_EMULATOR);
  let child: ChildProcess;
  if (enforcesIndexes) {
    const options = ['--testing', '--firestore_in_datastore_mode', '--require_indexes', `--index_file=${INDEX_FILE}`];
    // Its own process group: the script starts Java as a child, and stop() ends both.
    child = spawn(DATASTORE_EMULATOR, ['start', ...address, ...options], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    warnLoudly(`${DATASTORE_EMULATOR} is missing: the Firestore emulator runs instead, and index.yaml goes unchecked`);
    child = spawn(FIRESTORE_EMULATOR, ['start', ...address, '--database-mode=datastore-mode'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-10_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`The Datastore emulator exited:\n${output}`);
    try {
      if ((await fetch(`${base}/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopGroup(child, port);
      throw new Error(`The Datastore emulator did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  await warmUp(base);

  return {
    host: `127.0.0.1:${port}`,
    projectId: 'bookshelf-test',
    enforcesIndexes,
    async reset() {
      const response = await fetch(`${base}/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`Resetting the Datastore emulator failed: ${response.status}`);
    },
    stop: () => stopGroup(child, port),
    freeze: () => signalGroup(child, 'SIGSTOP'),
    thaw: () => signalGroup(child, 'SIGCONT'),
  };
}

/**
 * A fresh emulator's first write and query take seconds (its JVM is cold): longer than the app's 2 s
 * deadline. One of each through the REST API, in a project of their own, makes later requests fast.
 */
async function warmUp(base: string): Promise<void> {
  const post = async (method: string, body: unknown) => {
    const response = await fetch(`${base}/v1/projects/warm-up:${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`Warming up the Datastore emulator failed: ${method} ${response.status} ${await response.text()}`);
  };
  const key = { path: [{ kind: 'WarmUp', name: 'w' }] };
  await post('commit', { mode: 'NON_TRANSACTIONAL', mutations: [{ upsert: { key, properties: { at: { integerValue: '1' } } } }] });
  await post('runQuery', { query: { kind: [{ name: 'WarmUp' }], order: [{ property: { name: 'at' } }] } });
  await post('lookup', { keys: [key] });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** Whether something accepts connections on the loopback port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolveListening) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveListening(true);
    });
    socket.once('error', () => resolveListening(false));
  });
}

/**
 * SIGTERM to the emulator's process group (the script and the Java it starts), SIGKILL after 10 s.
 * Done once the port is closed: the script exits at once, but Java serves on for a moment.
 */
async function stopGroup(child: ChildProcess, port: number): Promise<void> {
  signalGroup(child, 'SIGCONT'); // a frozen process would not act on SIGTERM
  signalGroup(child, 'SIGTERM');
  const started = Date.now();
  while (await listening(port)) {
    if (Date.now() - started > 20_000) throw new Error(`The Datastore emulator on port ${port} does not stop`);
    if (Date.now() - started > 10_000) signalGroup(child, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWhen } from './skip-or-fail';

/**
 * The Cloud Storage emulator inside firebase-tools (docs/testing.md), started in this process.
 *
 * firebase-tools is not a dependency of the project (about 250 MB); CI installs it without saving it:
 *   npm install --no-save firebase-tools@15.34.2
 * This wraps its internal API in one place; a new firebase-tools version may need changes here only.
 */
export interface GcsEmulator {
  /** Use as `apiEndpoint` (STORAGE_API_ENDPOINT); objects are also served publicly at `${endpoint}/${bucket}/${name}`. */
  endpoint: string;
  projectId: string;
  /** An empty bucket, created for this emulator. */
  bucket: string;
  stop(): Promise<void>;
}

const FIREBASE_TOOLS = 'firebase-tools/lib/emulator/storage';

/** The little of firebase-tools' internal `StorageEmulator` that we use. */
interface StorageEmulatorClass {
  new (args: { projectId: string; host: string; port: number; auto_download: boolean }): {
    adminStorageLayer: { createBucket(id: string): void };
    getPersistenceTmpDir(): string;
    createRulesManager(): unknown;
  };
}

/**
 * `describe` for suites that need the emulator, through `describeWhen`: without firebase-tools, a
 * developer machine gets a skipped test that says why; CI (`CI=true`) gets a failing test, because a suite
 * that quietly skips there proves nothing.
 */
export function describeWithGcsEmulator(name: string, suite: () => void): void {
  describeWhen(gcsEmulatorUnavailable())(name, suite);
}

/** Why the emulator cannot run here, or null. */
export function gcsEmulatorUnavailable(): string | null {
  try {
    require.resolve(FIREBASE_TOOLS);
    return null;
  } catch {
    return 'firebase-tools is not installed, so the Cloud Storage emulator cannot run: npm install --no-save firebase-tools@15.34.2';
  }
}

/**
 * Starts an emulator on a free loopback port, with one bucket. One at a time per process: firebase-tools
 * keeps its emulators in a process-wide registry, which the emulator reads to build the links in its
 * answers. Creating buckets through the client (`storage.createBucket`) is not served; use `bucket`.
 * The emulator does not check ACLs or signatures: every object can be read at its public URL.
 */
export async function startGcsEmulator(): Promise<GcsEmulator> {
  // Loaded here, not imported at the top: the package is optional. It ships no type declarations.
  const { StorageEmulator } = require(FIREBASE_TOOLS) as { StorageEmulator: StorageEmulatorClass };
  const { createApp } = require('firebase-tools/lib/emulator/storage/server');
  const { EmulatorRegistry } = require('firebase-tools/lib/emulator/registry');
  const { Emulators } = require('firebase-tools/lib/emulator/types');

  const projectId = 'bookshelf-test';
  const bucket = `covers-${randomUUID()}`;
  const blobDir = await mkdtemp(join(tmpdir(), 'gcs-emulator-'));

  // Its own blob folder (the default one is shared by every emulator on the machine and deleted by
  // each one's stop), and no security-rules engine: that one is a Java jar the CLI would download.
  // Requests through the Cloud Storage JSON API use admin access and never consult rules.
  class IsolatedStorageEmulator extends StorageEmulator {
    override getPersistenceTmpDir() {
      return blobDir;
    }
    override createRulesManager() {
      return { start: async () => ({ errors: [], warnings: [] }), stop: async () => undefined, getRuleset: () => undefined };
    }
  }
  const args = { projectId, host: '127.0.0.1', port: 0, auto_download: false };
  const emulator = new IsolatedStorageEmulator(args);
  let app: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  // The emulator serves object ACLs (makePublic), metadata updates and copies only without the
  // `/storage/v1` prefix that @google-cloud/storage puts in front of every JSON API path.
  const server = createServer((req, res) => {
    req.url = req.url?.replace(/^\/storage\/v1\/b\//, '/b/');
    app!(req, res);
  });
  const stop = async () => {
    EmulatorRegistry.clear(Emulators.STORAGE);
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(blobDir, { recursive: true, force: true });
  };

  try {
    app = await createApp(projectId, emulator);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    args.port = (server.address() as AddressInfo).port; // the emulator reads its port from `args` for its links
    EmulatorRegistry.set(Emulators.STORAGE, emulator);
    emulator.adminStorageLayer.createBucket(bucket); // after registering: the bucket's metadata links to the emulator
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint: `http://127.0.0.1:${args.port}`, projectId, bucket, stop };
}

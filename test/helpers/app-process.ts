import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const STARTUP_TIMEOUT_MS = 20_000;

/**
 * A port free now, for a server that starts a moment later. Taken below the kernel's ephemeral range where
 * it has one: a port from that range (what `listen(0)` gives) can be taken meanwhile as the local end of
 * any outgoing connection of a parallel suite (to PostgreSQL, to an app), and the server's listen then
 * fails with EADDRINUSE. Below it, only another suite's pick can collide, about once in 10,000.
 */
export async function freePort(): Promise<number> {
  const ephemeralStart = Number(/^(\d+)/.exec(readFileIfPresent('/proc/sys/net/ipv4/ip_local_port_range'))?.[1] ?? 0);
  if (ephemeralStart > 20_000) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const port = 10_000 + Math.floor(Math.random() * (ephemeralStart - 10_000));
      if (await canListen(port)) return port;
    }
  }
  return listenOnce(0);
}

function readFileIfPresent(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function canListen(port: number): Promise<boolean> {
  return listenOnce(port).then(
    () => true,
    () => false,
  );
}

/** Listens on `port` (0: any) on loopback, closes again, and gives the port. */
function listenOnce(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => resolvePort(bound));
    });
  });
}

export interface RunningApp {
  baseUrl: string;
  port: number;
  /** The app's process id, to read its memory use from /proc. */
  pid: number;
  /** Everything the process printed, for failure messages. */
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts the compiled app (`npm run build` first; `npm test` does) as its own process, the way
 * `npm start` does, on a free port with a throw-away data folder unless `env` says otherwise.
 * The development identity provider is an ESM package that Jest cannot load in-process on Node 20.
 */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'bookshelf-e2e-'));
  const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      METADATA_SERVER_DETECTION: 'none',
      PORT: String(port),
      SQL_URL: `sqlite:${join(dataDir, 'bookshelf.sqlite')}`,
      UPLOAD_DIR: join(dataDir, 'uploads'),
      LOG_LEVEL: 'warn',
      // Suites sign in many times from one address; the rate limit suites turn them on.
      RATE_LIMITS: 'off',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const baseUrl = env.BASE_URL ?? `http://localhost:${port}`;
  await waitUntilServing(`http://127.0.0.1:${port}/healthz`, child, () => output);
  return {
    baseUrl,
    port,
    pid: child.pid!,
    output: () => output,
    stop: () => stopProcess(child).finally(() => rmSync(dataDir, { recursive: true, force: true })),
  };
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The app exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`The app did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
}

export function stopProcess(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolveExit) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolveExit(code);
    });
    child.kill('SIGTERM');
  });
}

/** Runs the compiled app to completion (for start-up refusals) and returns its exit code and output. */
export function runAppToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/main.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', METADATA_SERVER_DETECTION: 'none', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolveRun({ code, output });
    });
  });
}

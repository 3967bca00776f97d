import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../helpers/app-process';
import { describeWhen } from '../helpers/skip-or-fail';

/**
 * The Dockerfile built and run with podman (Debian's; no Docker engine runs on our machines). No image
 * registry is reachable, so build-base-image.sh first builds a stand-in for the FROM image from Debian
 * packages and this machine's Node.js, tagged node:MAJOR-bookworm-slim (see that script), and the image is
 * built with NODE_VERSION=MAJOR. A copy of this machine's npm cache is mounted into the build's RUN steps so
 * that `npm ci` does not download everything again (it changes nothing in the image). A copy, because the
 * Dockerfile ends with `npm cache clean --force`.
 */
const ROOT = join(__dirname, '../..');
const PODMAN = join(__dirname, 'podman.sh');
const IMAGE = 'localhost/bookshelf:container-test';
const MAJOR = process.versions.node.split('.')[0];
const NPM_CACHE = '/var/tmp/bookshelf-container-npm-cache';

function has(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = ['podman', 'runc', 'debootstrap'].filter((c) => !has(c));
const unavailable =
  process.getuid?.() !== 0
    ? 'the container test runs podman as root (docs/testing.md)'
    : missing.length > 0
      ? `${missing.join(', ')} not installed (apt-get install -y podman runc debootstrap)`
      : null;

/** Runs a command to completion, its output kept for failure messages. */
function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    });
  });
}

async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  const result = await run(PODMAN, args, timeoutMs);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}:\n${result.output.slice(-4000)}`);
  return result.output.trim();
}

async function waitForHealth(url: string, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the container did not answer ${url} within 30 s:\n${await podman(['logs', name]).catch(String)}`);
}

describeWhen(unavailable)('the container image', () => {
  const name = `bookshelf-test-${process.pid}`;
  let port: number;

  beforeAll(async () => {
    const base = await run(join(__dirname, 'build-base-image.sh'), [], 150_000);
    if (base.code !== 0) throw new Error(`build-base-image.sh exited ${base.code}:\n${base.output}`);
    const home = process.env.HOME ?? '/root';
    await run(
      'sh',
      ['-c', `mkdir -p ${NPM_CACHE} && { [ -d ${NPM_CACHE}/_cacache ] || cp -a ${home}/.npm/_cacache ${NPM_CACHE}/ 2>/dev/null || true; }`],
      60_000,
    );
    // No intermediate layers are kept: with the vfs storage driver every layer is a full copy of the tree,
    // and kept layers filled a 250 GB disk over a day of runs. So every build is a cold one.
    await podman(
      ['build', '--layers=false', '--volume', `${NPM_CACHE}:/root/.npm`, '--build-arg', `NODE_VERSION=${MAJOR}`, '-t', IMAGE, '.'],
      420_000,
    );
    port = await freePort();
    // Host networking: the sandbox has no bridge to forward a port through.
    await podman([
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'host',
      '--env',
      `PORT=${port}`,
      '--env',
      `BASE_URL=http://localhost:${port}`,
      '--env',
      'SESSION_SECRET=5fb3a36bf0e3f2704d99608ace98a46df133621316dee9a543dacabbd80d1fdf',
      '--env',
      'GOOGLE_OAUTH2_CLIENT_ID=container-test.apps.googleusercontent.com',
      '--env',
      'GOOGLE_OAUTH2_CLIENT_SECRET=GOCSPX-not-used-by-this-test',
      IMAGE,
    ]);
    await waitForHealth(`http://127.0.0.1:${port}/healthz`, name);
    // A cold build (`npm ci` compiles better-sqlite3 inside the image) takes 4-6 minutes here.
  }, 600_000);

  afterAll(async () => {
    await run(PODMAN, ['rm', '--force', '--time', '0', name], 30_000);
    // The image and any dangling layers go too (the stand-in base image stays, for the next run).
    await run(PODMAN, ['rmi', '--force', IMAGE], 60_000);
    await run(PODMAN, ['image', 'prune', '--force'], 120_000);
  }, 240_000);

  it('answers /healthz and a list page, in production mode', async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const page = await fetch(`http://127.0.0.1:${port}/books`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect(await podman(['exec', name, 'printenv', 'NODE_ENV'])).toBe('production');
  });

  it('runs as a user other than root', async () => {
    expect(await podman(['exec', name, 'id', '-u'])).toBe('1000');
    expect(await podman(['image', 'inspect', '--format', '{{.Config.User}}', IMAGE])).toBe('node');
  });

  it('ends with exit code 0 within 10 s of SIGTERM, and reports its size', async () => {
    const started = Date.now();
    await podman(['kill', '--signal', 'TERM', name]);
    const code = await podman(['wait', name], 15_000);
    const elapsed = Date.now() - started;
    expect({ code, withinTenSeconds: elapsed < 10_000 }).toEqual({ code: '0', withinTenSeconds: true });

    const bytes = Number(await podman(['image', 'inspect', '--format', '{{.Size}}', IMAGE]));
    expect(bytes).toBeGreaterThan(0);
    console.log(`image ${IMAGE}: ${(bytes / 1e6).toFixed(0)} MB; stopped ${elapsed} ms after SIGTERM`);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { LogLevel } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger as PinoLogger } from 'nestjs-pino';
import { createApp } from '../../src/app-bootstrap';
import { loadConfig } from '../../src/config/app-config';
import { configureApp } from '../../src/configure-app';
import { freePort, stopProcess } from './app-process';

const ROOT = resolve(__dirname, '../..');
/** The development identity provider on its own (src/auth/dev-idp/standalone.ts), compiled by `npm run build`. */
const STANDALONE_IDP = join(ROOT, 'dist/auth/dev-idp/standalone.js');
const IDP_STARTUP_TIMEOUT_MS = 15_000;
/** LOG_LEVEL (pino's names) as Nest's logger levels. */
const NEST_LOG_LEVELS: Record<string, false | LogLevel[]> = {
  silent: false,
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
};
/** Settings that client libraries read from process.env themselves, not through loadConfig. */
const PROCESS_ENV_SETTINGS = ['METADATA_SERVER_DETECTION', 'DATASTORE_EMULATOR_HOST'] as const;

export interface InProcessApp {
  /** `http://localhost:PORT`, the app's BASE_URL (unless `env` set another). */
  baseUrl: string;
  port: number;
  /** The Nest application itself, for a test that wants a provider (`app.nest.get(BooksRepository)`). */
  nest: NestExpressApplication;
  /** Everything the identity provider's process printed, for failure messages. */
  providerOutput(): string;
  /** Closes the app (its pools and stores too), then the identity provider, then the data folder. */
  close(): Promise<void>;
}

/**
 * The production app in the Jest process: `AppModule.forRoot(loadConfig(env))` and the production
 * `configureApp`, listening on 127.0.0.1 on a free port, with real sessions, CSRF, guards and sign-in.
 * No build of the app and no child process for it, so a feature's HTTP suite starts in about a second;
 * `startApp` (app-process.ts) runs the built app instead, as `npm start` does.
 *
 * Sign-in goes through a real OpenID provider: the development provider (`oidc-provider`) is ESM, which
 * Jest cannot load in-process on Node 20, so it runs as its own process (dist/auth/dev-idp/standalone.js:
 * `npm run build` first, which `npm test` does in `pretest`) acting as "Google" through the
 * GOOGLE_OAUTH2_* settings, exactly as a production-mode app is signed into. `WebClient.signIn` works
 * against it unchanged. Given its own AUTH_PROVIDER or GOOGLE_OAUTH2_AUTH_URL (a scripted provider, say),
 * the app uses that and no provider process starts; AUTH_PROVIDER=dev cannot work in-process.
 *
 * Defaults as for `startApp`: NODE_ENV=test, a throw-away SQLite file and upload folder, RATE_LIMITS=off,
 * METADATA_SERVER_DETECTION=none, and LOG_LEVEL=error, so that the app's pino log (a line per request at
 * info) does not flood the test output; pass LOG_LEVEL=warn or info to see more.
 */
export async function startInProcessApp(env: Record<string, string> = {}): Promise<InProcessApp> {
  if (env.AUTH_PROVIDER === 'dev') {
    throw new Error('AUTH_PROVIDER=dev cannot run inside Jest (oidc-provider is ESM): use startApp, or leave AUTH_PROVIDER unset');
  }
  const port = await freePort();
  const baseUrl = env.BASE_URL ?? `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'bookshelf-inproc-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dataDir, { recursive: true, force: true })];
  const cleanUp = async () => {
    // The last started is the first stopped: the app before its provider and its data folder.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };

  try {
    let provider: StandaloneProvider | undefined;
    let providerEnv: Record<string, string> = {};
    if (!env.AUTH_PROVIDER && !env.GOOGLE_OAUTH2_AUTH_URL) {
      provider = await startStandaloneProvider(`${baseUrl}/oauth2callback`);
      cleanups.push(() => provider!.stop());
      providerEnv = provider.env;
    }

    const settings: Record<string, string> = {
      NODE_ENV: 'test',
      METADATA_SERVER_DETECTION: 'none',
      PORT: String(port),
      BASE_URL: baseUrl,
      SQL_URL: `sqlite:${join(dataDir, 'bookshelf.sqlite')}`,
      UPLOAD_DIR: join(dataDir, 'uploads'),
      // Warnings too would print a line or two per app (RATE_LIMITS=off is one): LOG_LEVEL=warn shows them.
      LOG_LEVEL: 'error',
      // Suites sign in many times from one address; the rate limit suites turn them on.
      RATE_LIMITS: 'off',
      ...providerEnv,
      ...env,
    };
    cleanups.push(setProcessEnv(settings));

    const config = loadConfig(settings);
    const nest = await createApp(config, {
      // Nest's logger until `useLogger` below, for what it prints while building the modules.
      logger: NEST_LOG_LEVELS[settings.LOG_LEVEL] ?? ['fatal', 'error', 'warn', 'log'],
    });
    const server = nest.getHttpServer() as Server;
    cleanups.push(async () => {
      const closing = nest.close();
      // Keep-alive connections of the test's fetch calls would otherwise hold the server open for seconds.
      server.closeIdleConnections();
      await closing;
    });
    // As main.ts does: Nest's own log lines go through the app's pino logger, at LOG_LEVEL.
    nest.useLogger(nest.get(PinoLogger));
    await configureApp(nest);
    await nest.listen(port, '127.0.0.1');

    return {
      baseUrl,
      port,
      nest,
      providerOutput: () => provider?.output() ?? '',
      close: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/**
 * Sets the settings that client libraries read from process.env (the Datastore client reads
 * DATASTORE_EMULATOR_HOST itself); returns what puts the previous values back.
 */
function setProcessEnv(settings: Record<string, string>): () => void {
  const previous = PROCESS_ENV_SETTINGS.map((name) => [name, process.env[name]] as const);
  for (const name of PROCESS_ENV_SETTINGS) {
    if (settings[name] !== undefined) process.env[name] = settings[name];
  }
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

interface StandaloneProvider {
  /** The settings that make the app sign in against it (AUTH_PROVIDER=google and the GOOGLE_OAUTH2_* ones). */
  env: Record<string, string>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * dist/auth/dev-idp/standalone.js on a free loopback port, knowing one client whose only redirect URI is
 * `redirectUri`. It prints `DEV_IDP_URL=http://127.0.0.1:PORT/dev-idp` once it listens; any email signs in
 * on its page, a form with `email` and `name` as in the app-mounted provider.
 */
async function startStandaloneProvider(redirectUri: string): Promise<StandaloneProvider> {
  if (!existsSync(STANDALONE_IDP)) {
    throw new Error(`${STANDALONE_IDP} is missing: run npm run build first (npm test does, in pretest; or npx nest build)`);
  }
  const clientId = 'bookshelf-in-process-test';
  const clientSecret = `test-${randomBytes(16).toString('hex')}`;
  const child = spawn(
    process.execPath,
    [STANDALONE_IDP, '--port', '0', '--client-id', clientId, '--client-secret', clientSecret, '--redirect-uri', redirectUri],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  // Read for as long as it runs, so that the pipes never fill up.
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = await waitForLine(child, /DEV_IDP_URL=(\S+)/, () => output).catch(async (error) => {
    await stopProcess(child);
    throw error;
  });
  const issuer = url.replace(/\/$/, '');
  return {
    env: {
      AUTH_PROVIDER: 'google',
      GOOGLE_OAUTH2_CLIENT_ID: clientId,
      GOOGLE_OAUTH2_CLIENT_SECRET: clientSecret,
      GOOGLE_OAUTH2_AUTH_URL: `${issuer}/auth`,
      GOOGLE_OAUTH2_TOKEN_URL: `${issuer}/token`,
      GOOGLE_OAUTH2_USERINFO_URL: `${issuer}/userinfo`,
    },
    output: () => output,
    stop: async () => {
      await stopProcess(child);
    },
  };
}

function waitForLine(child: ChildProcess, pattern: RegExp, output: () => string): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(
      () => done(new Error(`The identity provider printed no ${pattern} within ${IDP_STARTUP_TIMEOUT_MS} ms:\n${output()}`)),
      IDP_STARTUP_TIMEOUT_MS,
    );
    const onData = () => {
      const match = pattern.exec(output());
      if (match) done(null, match[1]);
    };
    const onExit = (code: number | null) => done(new Error(`The identity provider exited with ${code}:\n${output()}`));
    function done(error: Error | null, line?: string) {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolveLine(line!);
    }
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

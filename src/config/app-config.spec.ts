import { AppConfig, ConfigError, asyncContextIsCheap, isLoopback, loadConfig, weakSecretReason } from './app-config';

/** Real secrets look like these (`openssl rand -hex 32`, `openssl rand -base64 33`). */
const STRONG = [
  'ef08d8992c6774abac62fac5580c38b982a5f3161df6dee776d31b620848af99',
  'vAFxG7KOz5dxXZmoOhJFPoYqzotbN8XhJWlNnibvP2Gi',
  'L3UxdhMU3yri+3K+IURjWZAE2fjUAXOWaSgOWj2HYlyE',
];

const PRODUCTION = {
  NODE_ENV: 'production',
  BASE_URL: 'https://books.example.com',
  TRUST_PROXY: '1',
  SESSION_SECRET: '5fb3a36bf0e3f2704d99608ace98a46df133621316dee9a543dacabbd80d1fdf',
  GOOGLE_OAUTH2_CLIENT_ID: 'id.apps.googleusercontent.com',
  GOOGLE_OAUTH2_CLIENT_SECRET: 'secret',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe(loadConfig.name, () => {
  it('needs nothing on a laptop: SQLite, local covers, the development provider', () => {
    const config = loadConfig({});
    expect(config).toBeInstanceOf(AppConfig);
    expect(config.port).toBe(8080);
    expect(config.baseUrl.origin).toBe('http://localhost:8080');
    expect(config.dataBackend).toBe('sql');
    expect(config.sqlUrl).toBe('sqlite:./data/bookshelf.sqlite');
    expect(config.storageBackend).toBe('local');
    expect(config.authProvider).toBe('dev');
    expect(config.callbackUrl).toBe('http://localhost:8080/oauth2callback');
    expect(config.secureCookies).toBe(false);
    expect(config.sessionSecrets[0]).toHaveLength(64);
  });

  it('sends the browser through BASE_URL and the server to its own port for the development provider', () => {
    const config = loadConfig({ PORT: '3000', BASE_URL: 'http://localhost:9999' });
    expect(config.oauthEndpoints.authorizationURL).toBe('http://localhost:9999/dev-idp/auth');
    expect(config.oauthEndpoints.tokenURL).toBe('http://127.0.0.1:3000/dev-idp/token');
    expect(config.oauthEndpoints.userProfileURL).toBe('http://127.0.0.1:3000/dev-idp/userinfo');
  });

  it('uses Google when a client is configured outside production', () => {
    const config = loadConfig({ GOOGLE_OAUTH2_CLIENT_ID: 'a', GOOGLE_OAUTH2_CLIENT_SECRET: 'b' });
    expect(config.authProvider).toBe('google');
    expect(config.oauthEndpoints.authorizationURL).toBe('https://accounts.google.com/o/oauth2/v2/auth');
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.production).toBe(true);
    expect(config.secureCookies).toBe(true);
    expect(config.trustProxy).toBe(1);
  });

  it('refuses production without a secret, a base URL and a Google client, listing every problem', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('BASE_URL is required'),
        expect.stringContaining('SESSION_SECRET'),
        expect.stringContaining('GOOGLE_OAUTH2_CLIENT_ID'),
      ]),
    );
  });

  it('refuses a short session secret in production', () => {
    expect(problemsOf({ ...PRODUCTION, SESSION_SECRET: 'short' })).toEqual([expect.stringContaining('SESSION_SECRET')]);
  });

  it('checks every rotation secret, not only the first, and keeps them in order', () => {
    expect(problemsOf({ ...PRODUCTION, SESSION_SECRET: `${STRONG[0]},x` })).toEqual([
      expect.stringContaining('SESSION_SECRET entry 2 of 2 is shorter than 32 characters'),
    ]);
    expect(problemsOf({ ...PRODUCTION, SESSION_SECRET: `${STRONG[0]},${STRONG[1]},${'k'.repeat(32)}` })).toEqual([
      expect.stringContaining('SESSION_SECRET entry 3 of 3'),
    ]);
    expect(loadConfig({ ...PRODUCTION, SESSION_SECRET: `${STRONG[0]}, ${STRONG[1]}` }).sessionSecrets).toEqual([STRONG[0], STRONG[1]]);
  });

  it('refuses placeholder and low-variety secrets in production, never printing them', () => {
    const weak = [
      'REPLACE_WITH_AT_LEAST_32_RANDOM_CHARACTERS',
      'change-me-change-me-change-me-please',
      'an-example-secret-for-the-bookshelf-app',
      'k'.repeat(32),
      `bench-session-secret-${'x'.repeat(32)}`,
      `scale-out-${'s'.repeat(40)}`,
      'abababababababababababababababab12',
      '0123012301230123012301230123012301',
    ];
    for (const secret of weak) {
      const problems = problemsOf({ ...PRODUCTION, SESSION_SECRET: secret });
      expect([secret, problems]).toEqual([secret, [expect.stringContaining('SESSION_SECRET value')]]);
      expect(problems[0]).not.toContain(secret);
    }
  });

  it('accepts random secrets and weak ones outside production', () => {
    for (const secret of STRONG) expect([secret, weakSecretReason(secret)]).toEqual([secret, null]);
    expect(weakSecretReason('correct horse battery staple, twice over')).toBeNull();
    expect(problemsOf({ NODE_ENV: 'test', SESSION_SECRET: 'k'.repeat(32) })).toEqual([]);
    expect(weakSecretReason('k'.repeat(32))).not.toBeNull();
  });

  it("refuses app.yaml's Google client placeholders in production", () => {
    const problems = problemsOf({
      ...PRODUCTION,
      GOOGLE_OAUTH2_CLIENT_ID: 'REPLACE.apps.googleusercontent.com',
      GOOGLE_OAUTH2_CLIENT_SECRET: 'REPLACE',
    });
    expect(problems).toEqual([
      expect.stringContaining('GOOGLE_OAUTH2_CLIENT_ID is still a placeholder'),
      expect.stringContaining('GOOGLE_OAUTH2_CLIENT_SECRET is still a placeholder'),
    ]);
  });

  it('refuses an http BASE_URL in production unless it is loopback', () => {
    const { TRUST_PROXY: _, ...env } = PRODUCTION;
    expect(problemsOf({ ...env, BASE_URL: 'http://books.example.com' })).toEqual([
      expect.stringContaining('BASE_URL must be https in production'),
    ]);
    expect(problemsOf({ ...env, BASE_URL: 'http://10.0.0.7:8080' })).toEqual([expect.stringContaining('BASE_URL must be https')]);
    for (const origin of ['http://localhost:8080', 'http://127.0.0.1:3000', 'http://127.8.9.10', 'http://[::1]:8080']) {
      expect([origin, problemsOf({ ...env, BASE_URL: origin })]).toEqual([origin, []]);
    }
  });

  it('knows loopback origins', () => {
    expect(
      ['http://localhost', 'https://localhost:1', 'http://127.0.0.1', 'http://127.255.0.1', 'http://[::1]:9'].map((u) =>
        isLoopback(new URL(u)),
      ),
    ).toEqual([true, true, true, true, true]);
    expect(
      [
        'http://localhost.example.com',
        'http://127.0.0.1.nip.io',
        'http://128.0.0.1',
        'http://[::2]',
        'http://0.0.0.0',
        'http://10.0.0.1',
      ].map((u) => isLoopback(new URL(u))),
    ).toEqual([false, false, false, false, false, false]);
  });

  it('accepts exactly production, development or test as NODE_ENV, unset meaning development', () => {
    expect(loadConfig({}).production).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).production).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).production).toBe(false);
    for (const nodeEnv of ['Production', 'prod', 'PRODUCTION', ' production', 'staging', 'dev']) {
      const problems = problemsOf({ ...PRODUCTION, NODE_ENV: nodeEnv });
      expect([nodeEnv, problems]).toEqual([
        nodeEnv,
        [expect.stringContaining(`NODE_ENV must be exactly production, development or test, or unset (got "${nodeEnv}")`)],
      ]);
    }
  });

  it('checks the other settings as for production when NODE_ENV is unknown', () => {
    const problems = problemsOf({ NODE_ENV: 'prod', BASE_URL: 'https://books.example.com', TRUST_PROXY: '1' });
    expect(problems).toEqual([
      expect.stringContaining('NODE_ENV must be exactly'),
      expect.stringContaining('SESSION_SECRET is required in production'),
      expect.stringContaining('GOOGLE_OAUTH2_CLIENT_ID and GOOGLE_OAUTH2_CLIENT_SECRET are required'),
    ]);
  });

  it('runs the development provider only on a loopback BASE_URL, whatever NODE_ENV says', () => {
    for (const nodeEnv of ['development', 'test']) {
      expect(problemsOf({ NODE_ENV: nodeEnv, BASE_URL: 'https://books.example.com', TRUST_PROXY: '1' })).toEqual([
        expect.stringContaining(
          'The development identity provider (AUTH_PROVIDER=dev, the default without GOOGLE_OAUTH2_CLIENT_ID) runs only on a loopback BASE_URL',
        ),
      ]);
      expect(problemsOf({ NODE_ENV: nodeEnv, AUTH_PROVIDER: 'dev', BASE_URL: 'http://192.168.1.20:8080' })).toEqual([
        expect.stringContaining('runs only on a loopback BASE_URL'),
      ]);
    }
    expect(loadConfig({ BASE_URL: 'http://127.0.0.1:8080' }).authProvider).toBe('dev');
  });

  it('refuses an https BASE_URL without TRUST_PROXY in production', () => {
    const { TRUST_PROXY: _, ...env } = PRODUCTION;
    expect(problemsOf(env)).toEqual([expect.stringContaining('TRUST_PROXY')]);
  });

  it('never runs the development provider in production', () => {
    expect(problemsOf({ ...PRODUCTION, AUTH_PROVIDER: 'dev' })).toEqual([expect.stringContaining('AUTH_PROVIDER=dev')]);
  });

  it('lets production sign in against another OpenID provider through explicit endpoints', () => {
    const config = loadConfig({
      ...PRODUCTION,
      GOOGLE_OAUTH2_AUTH_URL: 'https://idp.example.com/auth',
      GOOGLE_OAUTH2_TOKEN_URL: 'https://idp.example.com/token',
      GOOGLE_OAUTH2_USERINFO_URL: 'https://idp.example.com/userinfo',
    });
    expect(config.oauthEndpoints).toEqual({
      authorizationURL: 'https://idp.example.com/auth',
      tokenURL: 'https://idp.example.com/token',
      userProfileURL: 'https://idp.example.com/userinfo',
    });
  });

  it('accepts cloudsql as an alias of sql', () => {
    expect(loadConfig({ DATA_BACKEND: 'cloudsql' }).dataBackend).toBe('sql');
  });

  it('lists every invalid or contradictory setting at once', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATA_BACKEND: 'oracle',
      STORAGE_BACKEND: 'gcs',
      SESSION_STORE: 'redis',
      SQL_URL: 'sqlserver://x',
      BASE_URL: 'http://localhost:8080/app',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('PORT'),
        expect.stringContaining('DATA_BACKEND'),
        expect.stringContaining('CLOUD_STORAGE_BUCKET'),
        expect.stringContaining('GOOGLE_CLOUD_PROJECT'),
        expect.stringContaining('REDIS_URL'),
        expect.stringContaining('SQL_URL'),
        expect.stringContaining('BASE_URL must be an origin'),
      ]),
    );
    expect(problems).toHaveLength(7);
  });

  it('requires the database of the chosen backend', () => {
    expect(problemsOf({ DATA_BACKEND: 'mongodb' })).toEqual([expect.stringContaining('MONGODB_URL')]);
    expect(problemsOf({ DATA_BACKEND: 'mongodb', MONGODB_URL: 'mongodb://h:27017' })).toEqual([
      expect.stringContaining('name the database'),
    ]);
    expect(problemsOf({ DATA_BACKEND: 'datastore' })).toEqual([expect.stringContaining('GOOGLE_CLOUD_PROJECT')]);
  });

  it('allows Google avatars and the storage origin in images', () => {
    expect(loadConfig({}).coverOrigin).toBeNull();
    const gcs = loadConfig({ STORAGE_BACKEND: 'gcs', CLOUD_STORAGE_BUCKET: 'b', GOOGLE_CLOUD_PROJECT: 'p' });
    expect(gcs.coverOrigin).toBe('https://storage.googleapis.com');
  });
});

describe('rate limits and HTTP timeouts in the config', () => {
  it('limits sign-in, writes and uploads by default, and turns them all off with RATE_LIMITS=off', () => {
    expect(loadConfig({}).rateLimits).toEqual({
      signIn: { points: 30, seconds: 60 },
      writes: { points: 60, seconds: 600 },
      uploads: { points: 20, seconds: 600 },
    });
    expect(loadConfig({ RATE_LIMITS: 'off' }).rateLimits).toBeNull();
  });

  it('reads budgets as REQUESTS/SECONDS and lists every malformed one', () => {
    expect(loadConfig({ RATE_LIMIT_WRITES: '5/30' }).rateLimits?.writes).toEqual({ points: 5, seconds: 30 });
    const problems = problemsOf({ RATE_LIMITS: 'maybe', RATE_LIMIT_SIGN_IN: '10', RATE_LIMIT_UPLOADS: '0/60' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/RATE_LIMITS.*RATE_LIMIT_SIGN_IN.*RATE_LIMIT_UPLOADS/s);
  });

  it('bounds slow clients, and keeps idle connections longer than a proxy does only behind one', () => {
    expect(loadConfig({}).httpTimeouts).toEqual({ headersMs: 20_000, requestMs: 60_000, keepAliveMs: 5_000 });
    expect(loadConfig({ TRUST_PROXY: '1' }).httpTimeouts.keepAliveMs).toBe(620_000);
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT: '2.5' }).httpTimeouts.requestMs).toBe(2500);
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT: '0' })).toEqual([expect.stringContaining('HTTP_HEADERS_TIMEOUT')]);
  });
});

describe('API_CORS_ORIGINS', () => {
  it('is off by default and reads a list of origins', () => {
    expect(loadConfig({}).apiCorsOrigins).toEqual([]);
    expect(loadConfig({ API_CORS_ORIGINS: 'https://a.example, http://localhost:3000/' }).apiCorsOrigins).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
  });

  it('refuses anything that is not an origin', () => {
    expect(problemsOf({ API_CORS_ORIGINS: 'https://a.example/path,*' })).toEqual([
      expect.stringContaining('"https://a.example/path"'),
      expect.stringContaining('"*"'),
    ]);
  });
});

describe('LOG_TRACE_EVERY_LINE', () => {
  it('is on or off as set, and refuses anything else', () => {
    expect(loadConfig({ LOG_TRACE_EVERY_LINE: 'on' }).traceEveryLogLine).toBe(true);
    expect(loadConfig({ LOG_TRACE_EVERY_LINE: 'off' }).traceEveryLogLine).toBe(false);
    expect(() => loadConfig({ LOG_TRACE_EVERY_LINE: 'yes' })).toThrow(/LOG_TRACE_EVERY_LINE must be one of auto, on, off/);
  });

  it('by default binds every line only where AsyncLocalStorage is built on AsyncContextFrame', () => {
    expect(loadConfig({}).traceEveryLogLine).toBe(asyncContextIsCheap(process.versions.node, process.execArgv));
    expect(asyncContextIsCheap('20.20.2', [])).toBe(false);
    expect(asyncContextIsCheap('22.12.0', [])).toBe(false);
    expect(asyncContextIsCheap('22.12.0', ['--experimental-async-context-frame'])).toBe(true);
    expect(asyncContextIsCheap('22.12.0', ['--max-semi-space-size=8 --experimental-async-context-frame'])).toBe(true);
    expect(asyncContextIsCheap('24.1.0', [])).toBe(true);
    expect(asyncContextIsCheap('24.1.0', ['--no-async-context-frame'])).toBe(false);
  });
});

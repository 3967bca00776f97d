import { AppConfig, ConfigError, loadConfig } from './app-config';

const PRODUCTION = {
  NODE_ENV: 'production',
  BASE_URL: 'https://books.example.com',
  TRUST_PROXY: '1',
  SESSION_SECRET: 'x'.repeat(32),
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

  it('checks only the first secret for length, since it is the one that signs', () => {
    expect(problemsOf({ ...PRODUCTION, SESSION_SECRET: `${'y'.repeat(32)},old` })).toEqual([]);
    expect(loadConfig({ ...PRODUCTION, SESSION_SECRET: `${'y'.repeat(32)}, old` }).sessionSecrets).toEqual(['y'.repeat(32), 'old']);
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
      BASE_URL: 'http://example.com/app',
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

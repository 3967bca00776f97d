import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config';
import { readDotenv } from './env-sources';

const SECRET_A = '5fb3a36bf0e3f2704d99608ace98a46df133621316dee9a543dacabbd80d1fdf';
const SECRET_B = 'ef08d8992c6774abac62fac5580c38b982a5f3161df6dee776d31b620848af99';

const PRODUCTION = {
  NODE_ENV: 'production',
  BASE_URL: 'https://books.example.com',
  TRUST_PROXY: '1',
  SESSION_SECRET: SECRET_A,
  GOOGLE_OAUTH2_CLIENT_ID: 'id.apps.googleusercontent.com',
  GOOGLE_OAUTH2_CLIENT_SECRET: 'secret',
};

function problemsOf(env: Record<string, string>, dotenvFile?: string): string[] {
  try {
    loadConfig(env, { dotenvFile });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('settings from files and .env', () => {
  let dir: string;
  const file = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'bookshelf-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every secret from its _FILE, without the trailing newline, and a rotated file at the next start', () => {
    const { SESSION_SECRET: _s, GOOGLE_OAUTH2_CLIENT_SECRET: _c, ...rest } = PRODUCTION;
    const env = {
      ...rest,
      SESSION_SECRET_FILE: file('session', `${SECRET_A}\n`),
      GOOGLE_OAUTH2_CLIENT_SECRET_FILE: file('oauth', 'GOCSPX-from-a-file\n'),
      SESSION_STORE: 'redis',
      REDIS_URL_FILE: file('redis', 'redis://:pw@10.0.0.3:6379\n'),
      SQL_URL_FILE: file('sql', 'postgres://bookshelf:pw@/bookshelf?host=/cloudsql/p:r:i\n'),
    };
    const config = loadConfig(env);
    expect(config).toMatchObject({
      sessionSecrets: [SECRET_A],
      oauthClientSecret: 'GOCSPX-from-a-file',
      redisUrl: 'redis://:pw@10.0.0.3:6379',
      sqlUrl: 'postgres://bookshelf:pw@/bookshelf?host=/cloudsql/p:r:i',
    });

    writeFileSync(env.SESSION_SECRET_FILE, `${SECRET_B},${SECRET_A}\n`);
    expect(loadConfig(env).sessionSecrets).toEqual([SECRET_B, SECRET_A]);
  });

  it('puts SQL_PASSWORD_FILE into the SQL_URL, encoded, Cloud SQL socket URLs included', () => {
    const password = file('db-password', 'p@ss/w:rd%#\n');
    expect(loadConfig({ SQL_URL: 'postgres://bookshelf@/bookshelf?host=/cloudsql/p:r:i', SQL_PASSWORD_FILE: password }).sqlUrl).toBe(
      'postgres://bookshelf:p%40ss%2Fw%3Ard%25%23@/bookshelf?host=/cloudsql/p:r:i',
    );
    expect(loadConfig({ SQL_URL: 'mysql://app@db.internal:3306/books', SQL_PASSWORD_FILE: password }).sqlUrl).toBe(
      'mysql://app:p%40ss%2Fw%3Ard%25%23@db.internal:3306/books',
    );
    expect(problemsOf({ SQL_URL: 'postgres://app:inline@db/books', SQL_PASSWORD_FILE: password })).toEqual([
      expect.stringContaining('SQL_URL has a password already'),
    ]);
    expect(problemsOf({ SQL_PASSWORD_FILE: password })).toEqual([expect.stringContaining('SQL_PASSWORD needs a postgres://')]);
  });

  it('refuses both forms of one setting, and a missing or empty file, listing every problem without a value', () => {
    const problems = problemsOf({
      ...PRODUCTION,
      SESSION_SECRET_FILE: file('session', SECRET_B),
      GOOGLE_OAUTH2_CLIENT_SECRET: '',
      GOOGLE_OAUTH2_CLIENT_SECRET_FILE: join(dir, 'missing'),
      REDIS_URL_FILE: file('empty', '\n'),
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'SESSION_SECRET and SESSION_SECRET_FILE are both set: set one of them',
        expect.stringMatching(/^GOOGLE_OAUTH2_CLIENT_SECRET_FILE cannot be read: .*missing \(ENOENT\)$/),
        expect.stringMatching(/^REDIS_URL_FILE names an empty file/),
      ]),
    );
    expect(problems.join('\n')).not.toContain(SECRET_B);
  });

  it('reads .env with trailing comments as .env.example writes them; the environment wins', () => {
    const dotenv = file(
      '.env',
      [
        '# Bookshelf',
        'SQL_URL=sqlite:./data/bookshelf.sqlite    # or postgres://user:pass@host/db',
        'LOG_LEVEL=debug # fatal, error',
        'UPLOAD_DIR="./covers#1"',
        'PORT=9090',
      ].join('\n'),
    );
    const config = loadConfig({ PORT: '7070' }, { dotenvFile: dotenv });
    expect(config).toMatchObject({
      sqlUrl: 'sqlite:./data/bookshelf.sqlite',
      logLevel: 'debug',
      uploadDir: './covers#1',
      port: 7070,
      dotenvFile: dotenv,
    });
    expect(loadConfig({}, { dotenvFile: join(dir, 'none') }).dotenvFile).toBeUndefined();
  });

  it('parses every line of .env.example, uncommented, into values without their comments', () => {
    const example = readFileSync(join(__dirname, '../../.env.example'), 'utf8');
    const uncommented = example.replace(/^# ([A-Z][A-Z0-9_]*=)/gm, '$1');
    const values = readDotenv(file('.env', uncommented), []);

    expect(Object.keys(values).length).toBeGreaterThan(20);
    expect(values.SQL_URL).toBe('sqlite:./data/bookshelf.sqlite');
    for (const [name, value] of Object.entries(values)) expect([name, value]).toEqual([name, expect.not.stringContaining('#')]);
  });

  it('ignores .env in production, and refuses one that sets NODE_ENV=production', () => {
    const dotenv = file('.env', 'LOG_LEVEL=debug\n');
    expect(loadConfig(PRODUCTION, { dotenvFile: dotenv })).toMatchObject({ logLevel: 'info', dotenvFile: undefined });
    expect(problemsOf({}, file('.env.prod', 'NODE_ENV=production\n'))).toEqual(
      expect.arrayContaining([expect.stringContaining('sets NODE_ENV=production: .env is read outside production only')]),
    );
  });

  it('refuses values that kept a trailing comment (docker run --env-file), never printing a secret', () => {
    const problems = problemsOf({
      ...PRODUCTION,
      SQL_URL: 'sqlite:./data/bookshelf.sqlite    # or postgres:',
      SESSION_SECRET: `${SECRET_A}  # openssl rand -hex 32`,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SQL_URL carries a trailing comment: /),
        expect.stringMatching(/^SESSION_SECRET carries a trailing comment: /),
      ]),
    );
    expect(problemsOf({ STORAGE_BACKEND: 'local   # or gcs' })).toEqual([
      expect.stringContaining('STORAGE_BACKEND carries a trailing comment (got "local   # or gcs")'),
    ]);
    expect(problems.join('\n')).not.toContain(SECRET_A);
  });
});

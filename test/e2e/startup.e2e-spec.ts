import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningApp, runAppToExit, startApp } from '../helpers/app-process';

const STRONG_SECRET = '3e6311b2aa7629d036225c1a881967078dee6d183da90869af092469db545943';

const PRODUCTION = {
  NODE_ENV: 'production',
  PORT: '0',
  BASE_URL: 'https://books.example.com',
  TRUST_PROXY: '1',
  SESSION_SECRET: STRONG_SECRET,
  GOOGLE_OAUTH2_CLIENT_ID: 'client',
  GOOGLE_OAUTH2_CLIENT_SECRET: 'secret',
  SQL_URL: 'sqlite::memory:',
};

describe('start-up in production', () => {
  it('refuses to start without a session secret, naming the problem', async () => {
    const { SESSION_SECRET: _, ...env } = PRODUCTION;
    const { code, output } = await runAppToExit(env);
    expect(code).toBe(1);
    expect(output).toContain('SESSION_SECRET is required in production');
  });

  it('refuses the development identity provider, listing every problem at once', async () => {
    const { code, output } = await runAppToExit({ ...PRODUCTION, AUTH_PROVIDER: 'dev', SESSION_SECRET: 'short', TRUST_PROXY: '' });
    expect(code).toBe(1);
    expect(output).toContain('AUTH_PROVIDER=dev');
    expect(output).toContain('SESSION_SECRET');
    expect(output).toContain('TRUST_PROXY');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it("refuses app.yaml's placeholders as shipped", async () => {
    const appYaml = readFileSync(join(__dirname, '../../app.yaml'), 'utf8');
    const shipped = (name: string) => new RegExp(`^\\s+${name}: (\\S+)$`, 'm').exec(appYaml)![1];
    const { code, output } = await runAppToExit({
      ...PRODUCTION,
      SESSION_SECRET: shipped('SESSION_SECRET'),
      GOOGLE_OAUTH2_CLIENT_ID: shipped('GOOGLE_OAUTH2_CLIENT_ID'),
      GOOGLE_OAUTH2_CLIENT_SECRET: shipped('GOOGLE_OAUTH2_CLIENT_SECRET'),
    });
    expect(code).toBe(1);
    expect(output).toContain('SESSION_SECRET value is a placeholder');
    expect(output).toContain('GOOGLE_OAUTH2_CLIENT_ID is still a placeholder');
    expect(output).toContain('GOOGLE_OAUTH2_CLIENT_SECRET is still a placeholder');
  });

  it('refuses a weak rotation secret after a strong first one, without printing it', async () => {
    const weak = 'k'.repeat(32);
    const { code, output } = await runAppToExit({ ...PRODUCTION, SESSION_SECRET: `${STRONG_SECRET},x,${weak}` });
    expect(code).toBe(1);
    expect(output).toContain('SESSION_SECRET entry 2 of 3 is shorter than 32 characters');
    expect(output).toContain('SESSION_SECRET entry 3 of 3 has fewer than 10 different characters');
    expect(output).not.toContain(weak);
    expect(output).not.toContain(STRONG_SECRET);
  });

  it('refuses an http BASE_URL that is not loopback, and starts on an http loopback one (the benchmark)', async () => {
    const { code, output } = await runAppToExit({ ...PRODUCTION, BASE_URL: 'http://books.example.com', TRUST_PROXY: '' });
    expect(code).toBe(1);
    expect(output).toContain('BASE_URL must be https in production, unless it is a loopback origin');
    const { PORT: _, ...onLoopback } = PRODUCTION;
    const local = await startApp({ ...onLoopback, BASE_URL: 'http://127.0.0.1', TRUST_PROXY: '' });
    expect(await local.stop()).toBe(0);
  });

  it('stops on a NODE_ENV other than production, development or test', async () => {
    for (const nodeEnv of ['prod', 'Production']) {
      const { code, output } = await runAppToExit({ ...PRODUCTION, NODE_ENV: nodeEnv });
      expect([nodeEnv, code]).toEqual([nodeEnv, 1]);
      expect(output).toContain(`NODE_ENV must be exactly production, development or test, or unset (got "${nodeEnv}")`);
    }
  });
});

describe('the development identity provider', () => {
  it('does not start on an origin other than loopback, whatever NODE_ENV says', async () => {
    for (const nodeEnv of ['development', 'test']) {
      const { code, output } = await runAppToExit({
        NODE_ENV: nodeEnv,
        PORT: '0',
        SQL_URL: 'sqlite::memory:',
        BASE_URL: 'https://books.example.com',
        TRUST_PROXY: '1',
      });
      expect([nodeEnv, code]).toEqual([nodeEnv, 1]);
      expect(output).toContain(
        'The development identity provider (AUTH_PROVIDER=dev, the default without GOOGLE_OAUTH2_CLIENT_ID) runs only on a loopback BASE_URL',
      );
    }
  });
});

describe('behind an https proxy', () => {
  let app: RunningApp;

  beforeAll(async () => {
    // A Google client: the development provider runs only on loopback origins. Nothing calls Google.
    app = await startApp({
      BASE_URL: 'https://books.example.com',
      TRUST_PROXY: '1',
      GOOGLE_OAUTH2_CLIENT_ID: 'client',
      GOOGLE_OAUTH2_CLIENT_SECRET: 'secret',
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('sets a Secure __Host- session cookie, HSTS and upgrade-insecure-requests', async () => {
    const response = await fetch(`http://127.0.0.1:${app.port}/oauth2authorize`, {
      redirect: 'manual',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(response.status).toBe(302);
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-bookshelf.sid='));
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; Path=\/(;|$)/i);
    expect(cookie).not.toMatch(/; Domain=/i);
    expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    expect(response.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(new URL(response.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://books.example.com/oauth2callback');
  });
});

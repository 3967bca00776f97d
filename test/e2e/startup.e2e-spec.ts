import { type RunningApp, runAppToExit, startApp } from '../helpers/app-process';

const PRODUCTION = {
  NODE_ENV: 'production',
  PORT: '0',
  BASE_URL: 'https://books.example.com',
  TRUST_PROXY: '1',
  SESSION_SECRET: 's'.repeat(40),
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
});

describe('behind an https proxy', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp({ BASE_URL: 'https://books.example.com', TRUST_PROXY: '1' });
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
    expect(new URL(response.headers.get('location')!).searchParams.get('redirect_uri')).toBe(
      'https://books.example.com/oauth2callback',
    );
  });
});

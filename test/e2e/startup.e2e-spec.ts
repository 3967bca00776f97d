import { runAppToExit } from '../helpers/app-process';

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

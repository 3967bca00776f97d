import { devSubject } from '../../src/auth/dev-idp/dev-identity-provider';
import { SESSION_COOKIE } from '../../src/sessions/session-cookie';
import { type RunningApp, startApp } from '../helpers/app-process';
import { eventually } from '../helpers/eventually';
import { WebClient } from '../helpers/web-client';

interface RequestLine {
  level: string;
  severity: string;
  req: { id: string; method: string; path: string };
  res: { statusCode: number };
  responseTime: number;
  userId?: string;
  message: string;
}

/** The app's JSON log lines (stdout), parsed; anything else it printed is ignored. */
function jsonLines(app: RunningApp): Record<string, unknown>[] {
  return app
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits (bounded) for the request log line of the response that carried `requestId`. */
function requestLine(app: RunningApp, requestId: string | null): Promise<RequestLine> {
  return eventually(async () => {
    const line = jsonLines(app).find((l) => (l.req as { id?: string } | undefined)?.id === requestId && 'res' in l);
    if (!line) throw new Error(`No request log line for ${requestId} in:\n${app.output().slice(-3000)}`);
    return line as unknown as RequestLine;
  });
}

describe('structured request logs', () => {
  let app: RunningApp;

  beforeAll(async () => {
    app = await startApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('logs a signed-in request as one JSON line with request id, method, path, status, duration and user id', async () => {
    const web = new WebClient(app.baseUrl);
    await web.signIn('logs@example.com', 'Log Reader');

    const page = await web.get('/books/mine?page_token=');
    const line = await requestLine(app, page.headers.get('x-request-id'));

    expect(line).toMatchObject({
      level: 'info',
      severity: 'INFO',
      req: { method: 'GET', path: '/books/mine' },
      res: { statusCode: 200 },
      userId: devSubject('logs@example.com'),
    });
    expect(line.req.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.responseTime).toEqual(expect.any(Number));
  });

  it('logs anonymous requests without a user id, and replaces a request id the client made up', async () => {
    const response = await fetch(`${app.baseUrl}/books`, { headers: { 'x-request-id': 'made-up-by-the-client' } });
    await response.text();
    const id = response.headers.get('x-request-id');

    expect(id).not.toBe('made-up-by-the-client');
    const line = await requestLine(app, id);
    expect(line).toMatchObject({ req: { method: 'GET', path: '/books' }, res: { statusCode: 200 } });
    expect(line).not.toHaveProperty('userId');
  });

  it('never writes the session cookie, OAuth codes or other query strings', async () => {
    const web = new WebClient(app.baseUrl);
    await web.signIn('secrets@example.com', 'Secret Keeper', '/books/mine');
    const sessionCookie = web.cookie(SESSION_COOKIE);
    expect(sessionCookie).toBeTruthy();
    const last = await web.get('/books');
    await requestLine(app, last.headers.get('x-request-id'));

    const output = app.output();
    // The sign-in went through /oauth2callback?code=...&state=..., which was logged by its path only.
    expect(jsonLines(app).some((l) => (l.req as { path?: string } | undefined)?.path === '/oauth2callback')).toBe(true);
    expect(output).not.toContain(sessionCookie!);
    expect(output).not.toContain(decodeURIComponent(sessionCookie!).slice(2, 34));
    expect(output).not.toMatch(/code=|state=|page_token=|"cookie"|set-cookie|authorization/i);
  });
});

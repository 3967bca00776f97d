import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningApp, runAppToExit, startApp } from '../helpers/app-process';
import { eventually } from '../helpers/eventually';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${SPAN_ID}-01`;
/** A cover key whose file is a symbolic link to itself: reading it fails with ELOOP, an error no code expects. */
const BROKEN_COVER = '0b6e2d5c-8a4f-4c1e-9d3b-2f7a6c5e4d3b.webp';

function jsonLines(app: RunningApp): Record<string, unknown>[] {
  return app
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('logs, errors and traces of a production-mode app, as Google Cloud reads them', () => {
  let app: RunningApp;
  let uploads: string;
  const url = (path: string) => `http://127.0.0.1:${app.port}${path}`;

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'bookshelf-covers-'));
    mkdirSync(uploads, { recursive: true });
    symlinkSync(BROKEN_COVER, join(uploads, BROKEN_COVER));
    app = await startApp({
      NODE_ENV: 'production',
      // A loopback origin, as production allows for a build tried on one machine; requests go to the port.
      BASE_URL: 'http://localhost',
      TRUST_PROXY: '1',
      SESSION_SECRET: '5fb3a36bf0e3f2704d99608ace98a46df133621316dee9a543dacabbd80d1fdf',
      GOOGLE_OAUTH2_CLIENT_ID: 'bookshelf-test.apps.googleusercontent.com',
      GOOGLE_OAUTH2_CLIENT_SECRET: 'GOCSPX-not-used-by-this-suite',
      GOOGLE_CLOUD_PROJECT: 'bookshelf-test',
      K_SERVICE: 'bookshelf',
      K_REVISION: 'bookshelf-00007-xyz',
      UPLOAD_DIR: uploads,
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await app?.stop();
    rmSync(uploads, { recursive: true, force: true });
  });

  it("writes the request line with severity, message, httpRequest and the request's trace", async () => {
    const response = await fetch(url('/books?page_token='), {
      headers: { traceparent: TRACEPARENT, 'x-forwarded-for': '203.0.113.5', 'user-agent': 'bookshelf-test/1.0' },
    });
    const body = await response.text();
    const id = response.headers.get('x-request-id');

    const line = await eventually(async () => {
      const found = jsonLines(app).find((l) => (l.req as { id?: string } | undefined)?.id === id);
      if (!found) throw new Error(`no request line for ${id} in ${app.output().slice(-2000)}`);
      return found;
    });
    expect(line).toMatchObject({
      severity: 'INFO',
      message: expect.stringMatching(/^GET \/books 200 \d+ms$/),
      httpRequest: {
        requestMethod: 'GET',
        requestUrl: '/books',
        status: 200,
        latency: expect.stringMatching(/^\d+\.\d{3}s$/),
        userAgent: 'bookshelf-test/1.0',
        remoteIp: '203.0.113.5',
      },
      'logging.googleapis.com/trace': `projects/bookshelf-test/traces/${TRACE_ID}`,
      'logging.googleapis.com/spanId': SPAN_ID,
      'logging.googleapis.com/trace_sampled': true,
    });
    const size = (line.httpRequest as { responseSize: number }).responseSize;
    expect(size).toBeGreaterThanOrEqual(Buffer.byteLength(body));
  });

  it('gives every line, application lines included, a severity and a message', async () => {
    const lines = jsonLines(app);
    expect(lines.find((l) => /^Listening on /.test(String(l.message)))).toMatchObject({ severity: 'INFO', level: 'info' });
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect([line.severity, typeof line.message]).toEqual([expect.stringMatching(/^[A-Z]+$/), 'string']);
    expect(
      app
        .output()
        .split('\n')
        .filter((l) => l.trim() && !l.startsWith('{')),
    ).toEqual([]);
  });

  it('logs an unexpected error once, as an Error Reporting event, and shows the person the error page only', async () => {
    const response = await fetch(url(`/covers/${BROKEN_COVER}?x=1`), {
      headers: { 'x-cloud-trace-context': `${TRACE_ID}/12345;o=1`, 'user-agent': 'bookshelf-test/1.0' },
    });
    const page = await response.text();
    expect(response.status).toBe(500);
    expect(page).toContain('Something went wrong on our side');
    expect(page).not.toMatch(/ELOOP|at .*\.js:\d+/);

    const events = await eventually(async () => {
      const found = jsonLines(app).filter((l) => l['@type'] !== undefined);
      if (found.length === 0) throw new Error(`no error event in ${app.output().slice(-2000)}`);
      return found;
    });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      severity: 'ERROR',
      '@type': 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent',
      message: expect.stringContaining(`Unexpected error on GET /covers/${BROKEN_COVER}`),
      stack_trace: expect.stringMatching(/ELOOP[\s\S]*\n\s+at /),
      serviceContext: { service: 'bookshelf', version: 'bookshelf-00007-xyz' },
      context: {
        httpRequest: { method: 'GET', url: `/covers/${BROKEN_COVER}`, responseStatusCode: 500, userAgent: 'bookshelf-test/1.0' },
      },
      'logging.googleapis.com/trace': `projects/bookshelf-test/traces/${TRACE_ID}`,
      'logging.googleapis.com/spanId': (12345).toString(16).padStart(16, '0'),
      'logging.googleapis.com/trace_sampled': true,
    });
    // Logged once: the request line of the 500 is a line of its own, with no stack trace.
    expect(app.output().split('ELOOP').length - 1).toBeLessThanOrEqual(2);
  });

  it('says in one line to set PORT when the port is taken', async () => {
    const run = await runAppToExit({ PORT: String(app.port), LOG_LEVEL: 'warn', SQL_URL: 'sqlite::memory:', NODE_ENV: 'test' });
    expect(run.code).toBe(1);
    const lines = run.output.split('\n').filter((l) => l.trim() && !l.startsWith('{'));
    expect(lines).toEqual([expect.stringMatching(/^Port \d+ is already in use: .*set PORT/)]);
  });
});

describe('with LOG_TRACE_EVERY_LINE=on, lines written by code that has no request at hand', () => {
  let app: RunningApp;

  beforeAll(async () => {
    // Sessions in a Redis that is not there (a closed loopback port): /readyz logs a warning from the
    // health check, which knows nothing of the request it serves. `on`, since `auto` binds every line only
    // where that is cheap (Node 24, not this machine's Node 20).
    app = await startApp({
      LOG_TRACE_EVERY_LINE: 'on',
      SESSION_STORE: 'redis',
      REDIS_URL: 'redis://127.0.0.1:9/0',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      NODE_ENV: 'test',
      GOOGLE_CLOUD_PROJECT: 'bookshelf-test',
    });
  });

  afterAll(async () => {
    await app?.stop();
  });

  it("carry the trace of the request they were written for, and no other request's", async () => {
    const ready = await fetch(`http://127.0.0.1:${app.port}/readyz`, { headers: { traceparent: TRACEPARENT } });
    expect(ready.status).toBe(503);
    const warning = await eventually(async () => {
      const found = jsonLines(app).find((l) => /^Not ready: sessions/.test(String(l.message)));
      if (!found) throw new Error(`no readiness warning in ${app.output().slice(-2000)}`);
      return found;
    });
    expect(warning).toMatchObject({
      severity: 'WARNING',
      'logging.googleapis.com/trace': `projects/bookshelf-test/traces/${TRACE_ID}`,
      'logging.googleapis.com/spanId': SPAN_ID,
      'logging.googleapis.com/trace_sampled': true,
    });

    // The same warning for a request without a trace header has none, and no trace leaks into it.
    const before = jsonLines(app).length;
    expect((await fetch(`http://127.0.0.1:${app.port}/readyz`)).status).toBe(503);
    const untraced = await eventually(async () => {
      const found = jsonLines(app)
        .slice(before)
        .find((l) => /^Not ready: sessions/.test(String(l.message)));
      if (!found) throw new Error('no second readiness warning');
      return found;
    });
    expect(untraced).not.toHaveProperty(['logging.googleapis.com/spanId']);
  });
});

import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../helpers/app-process';
import { eventually } from '../helpers/eventually';
import { WebClient } from '../helpers/web-client';

/** Resolves once the port refuses connections: the server has stopped accepting. */
function refusesConnections(port: number): Promise<void> {
  return eventually(
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          reject(new Error(`port ${port} still accepts connections`));
        });
        socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve() : reject(error)));
      }),
    { timeoutMs: 8000, intervalMs: 20 },
  );
}

/** Starts a POST whose body is sent later; resolves once the server has read its headers (100 Continue). */
function startPost(port: number, path: string, headers: Record<string, string>, length: number) {
  let req!: ClientRequest;
  const response = new Promise<{ status: number; location?: string; connection?: string; body: string }>((resolve, reject) => {
    req = httpRequest(
      { host: '127.0.0.1', port, path, method: 'POST', headers: { ...headers, 'content-length': String(length), expect: '100-continue' } },
      (res: IncomingMessage) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, connection: res.headers.connection, body }));
      },
    );
    req.on('error', reject);
  });
  const headersRead = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  req.flushHeaders();
  return { req, response, headersRead };
}

describe('graceful shutdown on SIGTERM', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'bookshelf-shutdown-'));
  });

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ownData = () => ({ SQL_URL: `sqlite:${join(dataDir, 'bookshelf.sqlite')}`, UPLOAD_DIR: join(dataDir, 'uploads') });

  it('stops accepting, finishes the request in flight with the database and session store, logs it, then exits 0', async () => {
    // Request lines are at info, in JSON as in production: the in-flight request's line must be written before the exit.
    const app = await startApp({ ...ownData(), LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    const web = new WebClient(app.baseUrl);
    await web.signIn('shutdown@example.com', 'Shutdown Tester');
    const token = web.csrfToken(await web.get('/books/add'));
    const body = new URLSearchParams({ title: 'Finished after SIGTERM', author: 'In Flight', _csrf: token }).toString();

    const post = startPost(
      app.port,
      '/books/add',
      { cookie: `bookshelf.sid=${web.cookie('bookshelf.sid')}`, 'content-type': 'application/x-www-form-urlencoded' },
      Buffer.byteLength(body),
    );
    await post.headersRead;
    const started = Date.now();
    const exited = app.stop(); // sends SIGTERM now, resolves with the exit code

    await refusesConnections(app.port);
    // Only now does the body arrive: the session is read, the CSRF token checked and the book written
    // after SIGTERM, so none of that may be closed yet.
    post.req.end(body);
    const answer = await post.response;

    expect(answer.status).toBe(303);
    expect(answer.location).toMatch(/^\/books\/\d+$/);
    expect(answer.connection).toBe('close');
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(app.output()).toMatch(/"message":"POST \/books\/add 303 \d+ms"/);

    // The book was committed before the database was closed.
    const again = await startApp(ownData());
    try {
      const page = await new WebClient(again.baseUrl).get(answer.location!);
      expect(page.status).toBe(200);
      expect(page.body).toContain('Finished after SIGTERM');
    } finally {
      await again.stop();
    }
  });

  it('closes idle keep-alive connections instead of waiting for them', async () => {
    const app = await startApp(ownData());
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
    try {
      await new Promise<void>((resolve, reject) =>
        httpRequest({ host: '127.0.0.1', port: app.port, path: '/books', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
          .on('error', reject)
          .end(),
      );
      const started = Date.now();
      expect(await app.stop()).toBe(0);
      // Well before the 5 s keep-alive timeout that an idle connection would otherwise hold the server for.
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      agent.destroy();
    }
  });

  it('still stops within 10 s when a client never finishes its request', async () => {
    const app = await startApp(ownData());
    // Signed in: a stranger's post is refused before its body is read, and would not be in flight.
    const web = new WebClient(app.baseUrl);
    await web.signIn('stuck@example.com', 'Stuck Sender');
    const stuck = startPost(
      app.port,
      '/books/add',
      { cookie: `bookshelf.sid=${web.cookie('bookshelf.sid')}`, 'content-type': 'application/x-www-form-urlencoded' },
      1000,
    );
    stuck.response.catch(() => undefined);
    await stuck.headersRead;
    stuck.req.write('title=never-finished');

    const started = Date.now();
    const code = await app.stop();

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(code).toBe(1);
    await eventually(async () => expect(app.output()).toContain('Requests still in flight'), { timeoutMs: 2000 });
  });
});

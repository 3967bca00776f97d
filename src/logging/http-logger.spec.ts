import { EventEmitter } from 'node:events';
import fs, { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../config/app-config';
import { createHttpLogger, logDestination } from './http-logger';

/** Collects the JSON lines a logger writes. */
function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

interface FakeExchange {
  req: IncomingMessage & { user?: { id: string } };
  res: ServerResponse & { headers: Record<string, string> };
}

/** A request through the middleware, answered with `status` after `during` ran. */
function exchange(
  logger: ReturnType<typeof createHttpLogger>,
  {
    method = 'GET',
    url = '/books',
    headers = {} as Record<string, string>,
    status = 200,
    during = (_: FakeExchange) => {},
    abandoned = false,
    ip = undefined as string | undefined,
  } = {},
): FakeExchange {
  const req = Object.assign(new EventEmitter(), { method, url, originalUrl: url, headers, ip }) as unknown as FakeExchange['req'];
  const res = Object.assign(new EventEmitter(), {
    statusCode: status,
    headers: {} as Record<string, string>,
    setHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    },
    getHeader(name: string) {
      return this.headers[name.toLowerCase()];
    },
  }) as unknown as FakeExchange['res'];
  logger(req, res, () => undefined);
  during({ req, res });
  if (!abandoned) {
    Object.assign(res, { writableFinished: true });
    res.emit('finish');
  }
  // Node emits 'close' after 'finish' too, and alone when the client goes away first.
  res.emit('close');
  return { req, res };
}

const JSON_LOGS = { LOG_FORMAT: 'json', LOG_LEVEL: 'info' };

describe(createHttpLogger.name, () => {
  it('writes one JSON line per response with request id, method, path, status, duration and user id', () => {
    const out = capture();
    const logger = createHttpLogger(loadConfig(JSON_LOGS), out.stream);

    const { res } = exchange(logger, { url: '/books/mine?page_token=abc', during: ({ req }) => (req.user = { id: 'dev-123' }) });

    const [line] = out.lines();
    expect(line).toMatchObject({
      level: 'info',
      severity: 'INFO',
      req: { id: res.headers['x-request-id'], method: 'GET', path: '/books/mine' },
      res: { statusCode: 200 },
      userId: 'dev-123',
      message: expect.stringMatching(/^GET \/books\/mine 200 \d+ms$/),
    });
    expect(typeof line.responseTime).toBe('number');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes exactly one line per request, marking one the client abandoned', () => {
    const out = capture();
    const logger = createHttpLogger(loadConfig(JSON_LOGS), out.stream);
    exchange(logger, { url: '/books/1' });
    exchange(logger, { url: '/books/2', abandoned: true });

    expect(out.lines().map((l) => [(l.req as { path: string }).path, l.aborted])).toEqual([
      ['/books/1', undefined],
      ['/books/2', true],
    ]);
  });

  it('leaves the user id out for anonymous requests', () => {
    const out = capture();
    exchange(createHttpLogger(loadConfig(JSON_LOGS), out.stream));
    expect(out.lines()[0]).not.toHaveProperty('userId');
  });

  it('never writes cookies, authorization headers or query strings', () => {
    const out = capture();
    const logger = createHttpLogger(loadConfig(JSON_LOGS), out.stream);
    exchange(logger, {
      url: '/oauth2callback?code=the-oauth-code&state=the-state',
      headers: { cookie: 'bookshelf.sid=s%3Asecret-session', authorization: 'Bearer secret-token' },
      status: 303,
    });
    // Even code that logs headers itself gets them redacted.
    logger.logger.info({ headers: { cookie: 'bookshelf.sid=s%3Asecret-session', authorization: 'Bearer secret-token' } }, 'headers');
    logger.logger.info({ res: { headers: { 'set-cookie': 'bookshelf.sid=s%3Asecret-session' } } }, 'response headers');

    const text = JSON.stringify(out.lines());
    expect(out.lines()).toHaveLength(3);
    expect(text).toContain('/oauth2callback');
    for (const secret of ['secret-session', 'secret-token', 'the-oauth-code', 'the-state']) expect(text).not.toContain(secret);
    expect(out.lines()[1]).toMatchObject({ headers: { cookie: '[redacted]', authorization: '[redacted]' } });
  });

  it('logs server errors at error level and successful health probes not at all', () => {
    const out = capture();
    const logger = createHttpLogger(loadConfig(JSON_LOGS), out.stream);
    exchange(logger, { url: '/healthz' });
    exchange(logger, { url: '/readyz', status: 503 });
    exchange(logger, { url: '/books', status: 500 });

    expect(out.lines().map((l) => [(l.req as { path: string }).path, l.level])).toEqual([
      ['/readyz', 'error'],
      ['/books', 'error'],
    ]);
  });

  it('takes the request id from a trusted proxy only, and only when it is well-formed', () => {
    const trusted = createHttpLogger(loadConfig({ ...JSON_LOGS, TRUST_PROXY: '1' }), capture().stream);
    const untrusted = createHttpLogger(loadConfig(JSON_LOGS), capture().stream);

    expect(exchange(trusted, { headers: { 'x-request-id': 'abc-123' } }).res.headers['x-request-id']).toBe('abc-123');
    expect(
      exchange(trusted, { headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' } }).res.headers['x-request-id'],
    ).toBe('105445aa7843bc8bf206b12000100000');
    expect(exchange(trusted, { headers: { 'x-request-id': 'forged"\n{"level":"fatal' } }).res.headers['x-request-id']).toMatch(
      /^[0-9a-f-]{36}$/,
    );
    expect(exchange(untrusted, { headers: { 'x-request-id': 'abc-123' } }).res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("carries Cloud Logging's httpRequest: method, URL without the query, status, latency, size, user agent, address", () => {
    const out = capture();
    const logger = createHttpLogger(loadConfig({ ...JSON_LOGS, TRUST_PROXY: '1' }), out.stream);
    exchange(logger, {
      url: '/books?page_token=secret-token',
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64)' },
      ip: '203.0.113.7',
      during: ({ res }) => res.setHeader('Content-Length', '5120'),
    });

    const [line] = out.lines();
    expect(line.httpRequest).toEqual({
      requestMethod: 'GET',
      requestUrl: '/books',
      status: 200,
      latency: expect.stringMatching(/^\d+\.\d{3}s$/),
      responseSize: 5120,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      remoteIp: '203.0.113.7',
    });
    expect(JSON.stringify(line)).not.toContain('secret-token');
  });

  it('binds the trace of traceparent first, X-Cloud-Trace-Context second, to the request line', () => {
    const out = capture();
    const logger = createHttpLogger(loadConfig({ ...JSON_LOGS, GOOGLE_CLOUD_PROJECT: 'my-project' }), out.stream);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    exchange(logger, { headers: { traceparent, 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/1;o=1' } });
    exchange(logger, { headers: { 'x-cloud-trace-context': '105445aa7843bc8bf206b12000100000/18446744073709551615;o=0' } });
    exchange(logger, { headers: { traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' } });
    exchange(logger, { headers: { traceparent: 'garbage', 'x-cloud-trace-context': 'not"a trace' } });

    const keys = ['logging.googleapis.com/trace', 'logging.googleapis.com/spanId', 'logging.googleapis.com/trace_sampled'];
    expect(out.lines().map((l) => keys.map((k) => l[k]))).toEqual([
      ['projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', true],
      ['projects/my-project/traces/105445aa7843bc8bf206b12000100000', 'ffffffffffffffff', false],
      [undefined, undefined, undefined],
      [undefined, undefined, undefined],
    ]);
  });

  it('respects the configured level', () => {
    const out = capture();
    exchange(createHttpLogger(loadConfig({ ...JSON_LOGS, LOG_LEVEL: 'warn' }), out.stream));
    expect(out.lines()).toEqual([]);
  });
});

describe('logDestination', () => {
  it('writes every line logged while a write was under way in the next write, not 16 KiB at a time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bookshelf-log-'));
    const fd = openSync(join(dir, 'log'), 'w');
    const line = `{"message":"${'x'.repeat(85)}"}\n`;
    const total = Buffer.byteLength(line) * 10_000;
    // Counts sonic-boom's writes and resolves when they have written every byte (a test that fails times out).
    const original = fs.write;
    let written = 0;
    let allWritten!: () => void;
    const done = new Promise<void>((resolve) => (allWritten = resolve));
    const writes = jest.spyOn(fs, 'write').mockImplementation(((...args: unknown[]) => {
      const callback = args.pop() as (error: Error | null, bytes: number) => void;
      (original as (...a: unknown[]) => void)(...args, (error: Error | null, bytes: number) => {
        written += bytes;
        callback(error, bytes);
        if (written >= total) allWritten();
      });
    }) as typeof fs.write);
    try {
      const destination = logDestination(fd);
      // 1 MB in one turn of the event loop: the first line starts a write, the others wait for it to finish.
      for (let i = 0; i < 10_000; i++) destination.write(line);
      await done;

      expect(readFileSync(join(dir, 'log'), 'utf8')).toBe(line.repeat(10_000));
      expect(writes.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      writes.mockRestore();
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

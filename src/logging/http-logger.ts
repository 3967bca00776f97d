import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentTraceFields, pathOf, remoteIpOf, runWithTraceFields, traceFieldsFrom } from '../common/cloud-logging';
import type { AppConfig } from '../config/app-config';

/** What reaches the request log of a request; nothing else of it (no headers, no query string) is ever logged. */
type LoggedRequest = IncomingMessage & { originalUrl?: string; ip?: string; user?: { id?: string } };

/** The request-log middleware, and the root logger that every other log line goes through. */
export type HttpLogger = ((req: LoggedRequest, res: ServerResponse, next: () => void) => void) & { logger: Logger };

/** Cloud Logging reads `severity` (and `message`, `time`) from JSON lines on stdout. */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/** At most this much of the log in one write to stdout (sonic-boom's default is 16 KiB). */
const LOG_WRITE_MAX_BYTES = 4 * 1024 * 1024;

/**
 * A file descriptor (stdout in the app) as pino's destination, written asynchronously (off the event loop),
 * each write carrying every line logged since the one before. With sonic-boom's default of one chunk of at most 16 KiB per write, an event
 * loop under full load logged more in each turn than was written, and the lines waiting grew for as long as the
 * load lasted (52 MB of them at the end of `npm run bench`'s runs: README "Performance"). Lines are kept as
 * bytes (`contentMode: 'buffer'`), so that adding one costs the same however many are waiting; in sonic-boom's
 * string mode each line re-measured the whole chunk it was appended to. pino flushes what is left when the
 * process exits (process.exit included, as on SIGTERM).
 */
export function logDestination(fd: number): DestinationStream {
  const stream = pino.destination({ dest: fd, sync: false, contentMode: 'buffer', maxWrite: LOG_WRITE_MAX_BYTES });
  // sonic-boom's types know only its string mode.
  return { write: (line: string) => void stream.write(Buffer.from(line) as unknown as string) };
}

/** Never in a log line, even if some code logs a raw request or response object. */
export const REDACTED_PATHS = [
  'headers.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

/** Requests that are routine when they succeed: logged only when they fail. */
const QUIET_PATHS = /^\/(?:healthz|readyz|static\/|favicon\.ico)/;
/** A request id accepted from a trusted proxy; anything else is replaced, so no one can forge log lines. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** pino-pretty is a development dependency: an image built without it logs JSON, whatever NODE_ENV says. */
function loadPrettyPrinter(): typeof import('pino-pretty').build | undefined {
  try {
    return (require('pino-pretty') as typeof import('pino-pretty')).build;
  } catch {
    return undefined;
  }
}

function requestId(req: IncomingMessage, res: ServerResponse, trustProxy: boolean): string {
  let id: string | undefined;
  if (trustProxy) {
    const given = req.headers['x-request-id'];
    // App Engine and Cloud Run start every request's trace: "TRACE_ID/SPAN_ID;o=1".
    const trace = req.headers['x-cloud-trace-context'];
    const candidate = typeof given === 'string' ? given : typeof trace === 'string' ? trace.split('/')[0] : undefined;
    if (candidate && REQUEST_ID.test(candidate)) id = candidate;
  }
  id ??= randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The request logger and, as its `.logger`, the root logger that every other log line goes through (Nest's
 * too, by nestjs-pino). One JSON line per response: request id, method, path, status, duration in
 * milliseconds and the signed-in user's id; error level for 5xx; successful probes and static files not
 * at all; pretty single lines in development (`config.prettyLogs`).
 */
export function createHttpLogger(config: AppConfig, destination?: DestinationStream): HttpLogger {
  const options: LoggerOptions = {
    level: config.logLevel,
    messageKey: 'message',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.err },
  };
  // Every line written while a traced request is served carries its trace (Cloud Logging groups them);
  // without LOG_TRACE_EVERY_LINE no line pays for looking it up.
  if (config.traceEveryLogLine) options.mixin = currentTraceFields;
  let stream = destination;
  const pretty = config.prettyLogs ? loadPrettyPrinter() : undefined;
  if (pretty) {
    // In-process and synchronous (no worker thread).
    stream ??= pretty({
      sync: true,
      singleLine: true,
      messageKey: 'message',
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,req,res,responseTime',
    });
  } else {
    stream ??= logDestination(1);
    options.timestamp = pino.stdTimeFunctions.isoTime;
    options.formatters = { level: (label) => ({ level: label, severity: SEVERITY[label] ?? 'DEFAULT' }) };
  }

  const logger = pino(options, stream);
  const trustProxy = config.trustProxy !== false;

  const project = config.googleCloudProject;
  const traceEveryLine = config.traceEveryLogLine;

  const middleware = (req: LoggedRequest, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    const id = requestId(req, res, trustProxy);
    req.id = id;
    const trace = traceFieldsFrom(req.headers, project);
    const bytesBefore = req.socket?.bytesWritten ?? 0;
    // Written when the response is closed (just after it finished, or when the connection closed first: Node
    // emits 'close' for every response), so that a sign-in during the request counts. One line straight from
    // the root logger: pino-http would also build a child logger for every request, serialising it, which cost
    // a tenth of a list page.
    const done = (): void => {
      const { method } = req;
      const status = res.statusCode;
      const path = pathOf(req);
      const failed = status >= 500;
      if (!failed && status < 400 && QUIET_PATHS.test(path)) return;
      const nanos = process.hrtime.bigint() - started;
      const ms = Number(nanos / 1_000_000n);
      const length = Number(res.getHeader('content-length'));
      const userAgent = req.headers['user-agent'];
      // Cloud Logging's HttpRequest: shown as the request line in the Logs Explorer, with latency as "0.012s".
      const httpRequest: Record<string, unknown> = {
        requestMethod: method,
        requestUrl: path,
        status,
        latency: `${(Number(nanos) / 1e9).toFixed(3)}s`,
        responseSize: Number.isFinite(length) ? length : Math.max(0, (req.socket?.bytesWritten ?? 0) - bytesBefore),
        ...(typeof userAgent === 'string' ? { userAgent } : {}),
        remoteIp: remoteIpOf(req),
      };
      const line: Record<string, unknown> = {
        req: { id, method, path },
        res: { statusCode: status },
        responseTime: ms,
        httpRequest,
        ...trace,
      };
      if (req.user?.id) line.userId = req.user.id;
      // The client went away before the response was complete.
      if (!res.writableFinished) line.aborted = true;
      if (failed) logger.error(line, `${method} ${path} ${status} failed`);
      else logger.info(line, `${method} ${path} ${status} ${ms}ms`);
    };
    res.once('close', done);
    runWithTraceFields(req, trace, traceEveryLine, next);
  };
  return Object.assign(middleware, { logger });
}

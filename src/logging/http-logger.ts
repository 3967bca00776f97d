import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type LevelWithSilent, type LoggerOptions } from 'pino';
import { type HttpLogger, pinoHttp } from 'pino-http';
import type { AppConfig } from '../config/app-config';

/** What reaches the request log of a request; nothing else of it (no headers, no query string) is ever logged. */
type LoggedRequest = IncomingMessage & { originalUrl?: string; user?: { id?: string } };

/** Cloud Logging reads `severity` (and `message`, `time`) from JSON lines on stdout. */
const SEVERITY: Record<string, string> = {
  trace: 'DEBUG',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

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

/** The path only: query strings can carry OAuth codes and `state`. */
function pathOf(req: LoggedRequest): string {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** pino-pretty is a development dependency: an image built without it logs JSON, whatever NODE_ENV says. */
function loadPrettyPrinter(): typeof import('pino-pretty').build | undefined {
  try {
    return (require('pino-pretty') as typeof import('pino-pretty')).build;
  } catch {
    return undefined;
  }
}

function withUser(req: LoggedRequest, value: object): object {
  return req.user?.id ? { ...value, userId: req.user.id } : value;
}

function requestId(trustProxy: boolean) {
  return (req: IncomingMessage, res: ServerResponse): string => {
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
  };
}

/**
 * The request logger (pino-http) and, as its `.logger`, the root logger that every other log line goes
 * through. One JSON line per response: request id, method, path, status, duration in milliseconds and
 * the signed-in user's id; pretty single lines in development (`config.prettyLogs`).
 */
export function createHttpLogger(config: AppConfig, destination?: DestinationStream): HttpLogger {
  const options: LoggerOptions = {
    level: config.logLevel,
    messageKey: 'message',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
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
    // Asynchronous writes: lines written while a write is under way go out together, off the event loop.
    // pino flushes what is left when the process exits (process.exit included, as on SIGTERM).
    stream ??= pino.destination({ dest: 1, sync: false });
    options.timestamp = pino.stdTimeFunctions.isoTime;
    options.formatters = { level: (label) => ({ level: label, severity: SEVERITY[label] ?? 'DEFAULT' }) };
  }

  return pinoHttp<IncomingMessage, ServerResponse>(
    {
      ...options,
      genReqId: requestId(config.trustProxy !== false),
      // Serializers that pick fields, rather than the default ones that copy every header.
      wrapSerializers: false,
      serializers: {
        req: (req: LoggedRequest) => ({ id: req.id, method: req.method, path: pathOf(req) }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
        err: pino.stdSerializers.err,
      },
      // Added to the completed-request line only (not as `customProps`, which would make pino-http build a
      // child logger for every request: three times the logging cost). Read when the response is finished,
      // so a sign-in during the request counts.
      customSuccessObject: (req: LoggedRequest, _res: ServerResponse, value: object) => withUser(req, value),
      customErrorObject: (req: LoggedRequest, _res: ServerResponse, _error: Error, value: object) => withUser(req, value),
      customLogLevel: (req: LoggedRequest, res: ServerResponse, error?: Error): LevelWithSilent => {
        if (error || res.statusCode >= 500) return 'error';
        if (res.statusCode < 400 && QUIET_PATHS.test(pathOf(req))) return 'silent';
        return 'info';
      },
      customSuccessMessage: (req: LoggedRequest, res: ServerResponse, ms: number) =>
        `${req.method} ${pathOf(req)} ${res.statusCode} ${ms}ms`,
      customErrorMessage: (req: LoggedRequest, res: ServerResponse) => `${req.method} ${pathOf(req)} ${res.statusCode} failed`,
    },
    stream,
  );
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';

/**
 * What Cloud Logging, Error Reporting and Cloud Trace read from a JSON log line
 * (https://cloud.google.com/logging/docs/structured-logging). The request logger runs each request with
 * its trace fields (`runWithTraceFields`); code that logs a warning or an error with the request at hand
 * adds `traceFieldsOf(req)`, and where that is cheap the root logger adds them to every line.
 */
export const TRACE_KEY = 'logging.googleapis.com/trace';
export const SPAN_KEY = 'logging.googleapis.com/spanId';
export const SAMPLED_KEY = 'logging.googleapis.com/trace_sampled';
export const REPORTED_ERROR_EVENT = 'type.googleapis.com/google.devtools.clouderrorreporting.v1beta1.ReportedErrorEvent';

export interface TraceFields {
  [TRACE_KEY]?: string;
  [SPAN_KEY]: string;
  [SAMPLED_KEY]: boolean;
}

/** W3C Trace Context: version 00, 32 hex trace id, 16 hex parent id, 2 hex flags; all-zero ids are invalid. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/;
/** Google's older header: TRACE_ID/SPAN_ID(decimal);o=0|1. */
const CLOUD_TRACE = /^([0-9a-f]{32})\/(\d{1,20})(?:;o=([01]))?/;

/**
 * The trace of a request: W3C `traceparent` first, `X-Cloud-Trace-Context` second (Cloud Run and App Engine
 * send both); nothing when neither is well-formed. The trace is `projects/PROJECT/traces/ID` with a project.
 */
export function traceFieldsFrom(headers: IncomingMessage['headers'], project: string | undefined): TraceFields | undefined {
  let traceId: string | undefined;
  let spanId: string | undefined;
  let sampled = false;
  const parent = headers.traceparent;
  const w3c = typeof parent === 'string' ? TRACEPARENT.exec(parent.trim().toLowerCase()) : null;
  if (w3c && !/^0+$/.test(w3c[1]) && !/^0+$/.test(w3c[2])) {
    [traceId, spanId] = [w3c[1], w3c[2]];
    sampled = (parseInt(w3c[3], 16) & 1) === 1;
  } else {
    const cloud = headers['x-cloud-trace-context'];
    const match = typeof cloud === 'string' ? CLOUD_TRACE.exec(cloud.trim().toLowerCase()) : null;
    if (!match || /^0+$/.test(match[1])) return undefined;
    traceId = match[1];
    // Cloud Logging wants the span id as 16 hex digits.
    spanId = BigInt.asUintN(64, BigInt(match[2])).toString(16).padStart(16, '0');
    sampled = match[3] === '1';
  }
  const fields: TraceFields = { [SPAN_KEY]: spanId, [SAMPLED_KEY]: sampled };
  if (project) fields[TRACE_KEY] = `projects/${project}/traces/${traceId}`;
  return fields;
}

const BOUND = Symbol('traceFields');
type WithTrace = { [BOUND]?: TraceFields };

/** The trace of the request being served, for every log line written while serving it (the root logger's mixin). */
const currentTrace = new AsyncLocalStorage<TraceFields>();

/**
 * Runs the rest of a request (`next`) with its trace: `req` keeps it for the lines logged with the request at
 * hand (`traceFieldsOf`), and with `everyLine` every line written meanwhile carries it too
 * (`currentTraceFields`, the root logger's mixin). A request without a trace header has nothing to bind.
 */
export function runWithTraceFields(req: IncomingMessage, fields: TraceFields | undefined, everyLine: boolean, next: () => void): void {
  if (!fields) return next();
  (req as WithTrace)[BOUND] = fields;
  if (everyLine) currentTrace.run(fields, next);
  else next();
}

/**
 * The trace fields of the request whose work is running now (none outside a traced request), as a new
 * object each time: pino merges the line into what its mixin returns.
 */
export function currentTraceFields(): Partial<TraceFields> {
  const fields = currentTrace.getStore();
  return fields ? { ...fields } : {};
}

/** The trace fields the request logger bound to `req` (empty without a trace header). */
export function traceFieldsOf(req: IncomingMessage): Partial<TraceFields> {
  return (req as WithTrace)[BOUND] ?? {};
}

type ReportedRequest = IncomingMessage & { originalUrl?: string; ip?: string; user?: { id?: string } };

/** The path only: query strings can carry OAuth codes and `state`. */
export function pathOf(req: { originalUrl?: string; url?: string }): string {
  const url = req.originalUrl ?? req.url ?? '';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The client address as Express resolved it through `trust proxy` (TRUST_PROXY), else the socket's. */
export function remoteIpOf(req: ReportedRequest): string | undefined {
  return req.ip ?? req.socket?.remoteAddress;
}

/**
 * One unexpected error as an Error Reporting event (a ReportedErrorEvent in a log line): the stack trace,
 * the service and version, the request (path only, never headers or the query string) and its trace.
 */
export function reportedErrorEvent(
  error: unknown,
  req: ReportedRequest,
  status: number,
  serviceContext: { service: string; version?: string },
): Record<string, unknown> {
  const stack = error instanceof Error && error.stack ? error.stack : `Error: ${String(error)}\n    at (unknown)`;
  const userAgent = req.headers?.['user-agent'];
  const event: Record<string, unknown> = {
    '@type': REPORTED_ERROR_EVENT,
    message: `Unexpected error on ${req.method} ${pathOf(req)}: ${error instanceof Error ? error.message : String(error)}`,
    stack_trace: stack,
    serviceContext,
    context: {
      httpRequest: {
        method: req.method,
        url: pathOf(req),
        responseStatusCode: status,
        ...(typeof userAgent === 'string' ? { userAgent } : {}),
        ...(remoteIpOf(req) ? { remoteIp: remoteIpOf(req) } : {}),
      },
      ...(req.user?.id ? { user: req.user.id } : {}),
    },
    ...traceFieldsOf(req),
  };
  return event;
}

import { HttpException, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { reportedErrorEvent, traceFieldsOf } from '../common/cloud-logging';
import { statusOf } from '../common/domain-error.filter';
import { AppConfig } from '../config/app-config';
import { DomainError } from '../common/domain-errors';
import { ErrorResponder } from '../common/error-responder';
import { isApiPath } from '../common/request-checks';
import { InvalidFields } from './api-errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemExtras {
  errors?: { field: string; message: string }[];
  retryAfterSeconds?: number;
  /** For 401: the token was presented and refused (`error="invalid_token"`), or there was none. */
  invalidToken?: boolean;
}

/**
 * Writes an RFC 9457 problem: `type` is `about:blank` (the status says it all), `title` the status's
 * phrase, `detail` the one sentence the error page would show; 422 adds `errors`.
 */
export function sendProblem(res: Response, status: number, detail: string, extras: ProblemExtras = {}): void {
  res.status(status);
  if (extras.retryAfterSeconds !== undefined) res.set('Retry-After', String(Math.max(1, Math.ceil(extras.retryAfterSeconds))));
  else if (status === 503) res.set('Retry-After', '5');
  if (status === 401)
    res.set('WWW-Authenticate', extras.invalidToken ? 'Bearer realm="bookshelf", error="invalid_token"' : 'Bearer realm="bookshelf"');
  res.set('Cache-Control', 'no-store');
  const body: Record<string, unknown> = { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail };
  if (extras.errors) body.errors = extras.errors;
  res.type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** The JSON API's answer to every error on `/api/` paths, asked first by `DomainErrorFilter`. */
@Injectable()
export class ProblemResponder extends ErrorResponder {
  private readonly logger = new Logger('Api');

  constructor(private readonly config: AppConfig) {
    super();
  }

  respond(error: unknown, req: Request, res: Response): boolean {
    if (!isApiPath(req.path)) return false;
    if (error instanceof DomainError) {
      const status = error.kind === 'sign_in_required' ? 401 : statusOf(error);
      if (status !== undefined) {
        if (error.kind === 'unavailable') {
          this.logger.error({ message: `Backend unavailable on ${req.method} ${req.path}: ${String(error.cause)}`, ...traceFieldsOf(req) });
        }
        sendProblem(res, status, error.message, {
          retryAfterSeconds: error.retryAfterSeconds,
          errors: error instanceof InvalidFields ? error.errors : undefined,
          invalidToken: (error as { presented?: boolean }).presented === true,
        });
        return true;
      }
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      sendProblem(res, status, status === 404 ? 'There is nothing here.' : error.message);
      return true;
    }
    // Logged once, as the Error Reporting event the pages' filter writes too.
    this.logger.error(reportedErrorEvent(error, req, 500, this.config.serviceContext));
    sendProblem(res, 500, 'Something went wrong on our side. Please try again.');
    return true;
  }
}

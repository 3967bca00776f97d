import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { reportedErrorEvent, traceFieldsOf } from './cloud-logging';
import { assertUnreachable, DomainError, type ErrorKind } from './domain-errors';
import { renderErrorPage } from './error-page';
import { ErrorResponder } from './error-responder';

/** The status each kind of domain error answers with (docs/architecture.md section 4); exhaustive by kind. */
const STATUS: Record<ErrorKind, number> = {
  not_found: HttpStatus.NOT_FOUND,
  forbidden: HttpStatus.FORBIDDEN,
  sign_in_required: HttpStatus.FORBIDDEN,
  malformed: HttpStatus.BAD_REQUEST,
  invalid: HttpStatus.UNPROCESSABLE_ENTITY,
  too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  busy: HttpStatus.SERVICE_UNAVAILABLE,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The status a domain error answers with, for responders of other formats (the JSON API). */
export function statusOf(error: DomainError): number | undefined {
  return isKnown(error) ? STATUS[error.kind] : undefined;
}

/** A kind this filter knows (a subclass cast its way around the type answers as an unexpected error). */
function isKnown(error: DomainError): boolean {
  return Object.prototype.hasOwnProperty.call(STATUS, error.kind);
}

/**
 * The one place errors become HTTP: a status and an error page, never a stack trace. Domain errors are
 * answered by their `kind` alone, so no feature's error classes appear here.
 */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  /** `responder`: the JSON API's problem+json, asked first (provided by ApiModule, absent in module tests). */
  constructor(
    @Optional() private readonly responder?: ErrorResponder,
    @Optional() private readonly config?: AppConfig,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (this.responder?.respond(error, req, res)) return;

    if (error instanceof DomainError && isKnown(error)) {
      this.answer(error, req, res);
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      renderErrorPage(res, status, status === HttpStatus.NOT_FOUND ? 'There is no page here.' : error.message);
      return;
    }
    // Logged once, as an event Error Reporting groups (docs/architecture.md section 4.12); the person sees
    // the error page only.
    this.logger.error(reportedErrorEvent(error, req, 500, this.config?.serviceContext ?? { service: 'bookshelf' }));
    renderErrorPage(res, HttpStatus.INTERNAL_SERVER_ERROR, 'Something went wrong on our side. Please try again.');
  }

  private answer(error: DomainError, req: Request, res: Response): void {
    const kind = error.kind;
    switch (kind) {
      case 'sign_in_required':
        if (req.method === 'GET' || req.method === 'HEAD') {
          res.redirect(302, `/oauth2authorize?return_url=${encodeURIComponent(req.originalUrl)}`);
          return;
        }
        break;
      case 'unavailable':
        this.logger.error({ message: `Backend unavailable on ${req.method} ${req.path}: ${String(error.cause)}`, ...traceFieldsOf(req) });
        break;
      case 'not_found':
      case 'forbidden':
      case 'malformed':
      case 'invalid':
      case 'too_large':
      case 'rate_limited':
      case 'busy':
        break;
      default:
        assertUnreachable(kind);
    }
    renderErrorPage(res, STATUS[kind], error.message, error.retryAfterSeconds);
  }
}

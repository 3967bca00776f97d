import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type DomainErrorCode } from './domain-errors';
import { renderErrorPage } from './error-page';

/** The status each domain error answers with (ARCHITECTURE.md section 4); exhaustive by code. */
const STATUS: Record<DomainErrorCode, number> = {
  book_not_found: HttpStatus.NOT_FOUND,
  not_owner: HttpStatus.FORBIDDEN,
  invalid_page_token: HttpStatus.BAD_REQUEST,
  invalid_image: HttpStatus.UNPROCESSABLE_ENTITY,
  csrf_rejected: HttpStatus.FORBIDDEN,
  sign_in_required: HttpStatus.FORBIDDEN,
  request_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  busy: HttpStatus.SERVICE_UNAVAILABLE,
  backend_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

/** The one place errors become HTTP: a status and an error page, never a stack trace. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;

    if (error instanceof DomainError) {
      if (error.code === 'sign_in_required' && (req.method === 'GET' || req.method === 'HEAD')) {
        res.redirect(302, `/oauth2authorize?return_url=${encodeURIComponent(req.originalUrl)}`);
        return;
      }
      if (error.code === 'backend_unavailable') {
        this.logger.error(`Backend unavailable on ${req.method} ${req.path}: ${String((error as { cause?: unknown }).cause)}`);
      }
      renderErrorPage(res, STATUS[error.code], error.message, error.retryAfterSeconds);
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      renderErrorPage(res, status, status === HttpStatus.NOT_FOUND ? 'There is no page here.' : error.message);
      return;
    }
    this.logger.error(`Unexpected error on ${req.method} ${req.path}`, (error as Error)?.stack ?? String(error));
    renderErrorPage(res, HttpStatus.INTERNAL_SERVER_ERROR, 'Something went wrong on our side. Please try again.');
  }
}

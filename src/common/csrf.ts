import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { csrfSync } from 'csrf-sync';
import type { Request } from 'express';
import { CsrfRejected } from './domain-errors';
import { isApiPath } from './request-checks';

/** Synchronizer tokens kept in the session; forms send them as `_csrf`. */
export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const token: unknown = (req.body as Record<string, unknown> | undefined)?._csrf;
    return typeof token === 'string' ? token : undefined;
  },
});

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses every state-changing request without the session's token. It is a global guard rather than
 * middleware because guards run after the multipart parser, which is what puts `_csrf` in the body.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    // The JSON API never reads the session cookie (bearer tokens only), so it has nothing to forge.
    if (SAFE_METHODS.has(request.method) || isApiPath(request.path) || csrf.isRequestValid(request)) return true;
    throw new CsrfRejected();
  }
}

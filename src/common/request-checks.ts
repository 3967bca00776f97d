import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { renderErrorPage } from './error-page';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The JSON API's paths (src/api/). They carry no session cookie and no form: the API authenticates with
 * bearer tokens, so the session, the cross-site check, the CSRF guard and the form parsers are not for them.
 */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/**
 * Refuses request targets that name no page: `OPTIONS *` (asterisk-form) and authority-form targets.
 * Absolute-form targets (`GET http://host/path`), which HTTP/1.1 servers must accept, pass.
 */
export function refuseOddTargets(req: Request, res: Response, next: NextFunction): void {
  if (req.url.startsWith('/') || /^https?:\/\//i.test(req.url)) return next();
  renderErrorPage(res, 400, 'That request does not name a page.');
}

/**
 * Refuses a state-changing request that a browser says comes from another site, even with a valid CSRF
 * token (defence in depth behind the synchronizer token and SameSite=Lax): `Sec-Fetch-Site: cross-site`,
 * or an `Origin` other than ours (`null` included, which sandboxed frames and some redirects send).
 * Clients that send neither (scripts, old browsers) still need the token.
 */
export function refuseCrossSite(origin: string): RequestHandler {
  return (req, res, next) => {
    // No cookie is read on API paths, so another site's request there can only act with a token it holds.
    if (isSafeMethod(req.method) || isApiPath(req.path)) return next();
    const fetchSite = req.headers['sec-fetch-site'];
    const from = req.headers.origin;
    if (fetchSite === 'cross-site' || (from !== undefined && from !== origin)) {
      return renderErrorPage(res, 403, 'That request came from another site.');
    }
    next();
  };
}

/**
 * After the session is loaded and before any body is read: a state-changing request by someone who is
 * not signed in is refused at once (nobody else may post a form), so strangers cannot make the server
 * read and hold 8 MiB bodies. The connection is closed rather than drained.
 */
export function refuseAnonymousWrites(req: Request, res: Response, next: NextFunction): void {
  if (isSafeMethod(req.method) || req.user) return next();
  res.set('Connection', 'close');
  renderErrorPage(res, 403, 'You need to sign in to do that.');
}

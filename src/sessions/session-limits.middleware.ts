import type { NextFunction, Request, Response } from 'express';
import { SESSION_ABSOLUTE_TTL_MS, SESSION_TTL_MS, SIGN_IN_TTL_MS } from './session-lifetime';

declare module 'express-session' {
  interface SessionData {
    /** When the person signed in (epoch ms): the session ends SESSION_ABSOLUTE_TTL_MS later. */
    signedInAt?: number;
    /** The browser's user agent at sign-in (at most 512 characters), for the account page. */
    userAgent?: string;
  }
}

/**
 * Bounds each session's life, after passport has read who is signed in:
 * - a session of nobody (a sign-in in progress, a message after a failed one) lives SIGN_IN_TTL_MS, so
 *   strangers who start sign-in leave no 14-day rows;
 * - a signed-in session slides by SESSION_TTL_MS but never past SESSION_ABSOLUTE_TTL_MS after sign-in,
 *   and is replaced by a fresh, empty one once that has passed (a sign-in may start on it at once).
 */
export function limitSessionLifetime(req: Request, res: Response, next: NextFunction): void {
  const session = req.session;
  if (!session) return next();
  if (!req.user) {
    session.cookie.maxAge = SIGN_IN_TTL_MS;
    return next();
  }
  const now = Date.now();
  // Sessions from before this rule have no sign-in time: their 30 days start now.
  session.signedInAt ??= now;
  const left = session.signedInAt + SESSION_ABSOLUTE_TTL_MS - now;
  if (left > 0) {
    session.cookie.maxAge = Math.min(SESSION_TTL_MS, left);
    return next();
  }
  req.user = undefined;
  session.regenerate((error: unknown) => {
    if (!error) req.session.cookie.maxAge = SIGN_IN_TTL_MS;
    next(error);
  });
}

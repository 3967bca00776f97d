import type { CookieOptions } from 'express';
import type { AppConfig } from '../config/app-config';
import { SESSION_TTL_MS } from './session-lifetime';

/** The session cookie's name (not express-session's default, which names the framework). */
export const SESSION_COOKIE = 'bookshelf.sid';

/**
 * The session cookie for this origin. With an https `BASE_URL` it takes the `__Host-` prefix: browsers
 * then accept it only when Secure, for our host alone and path `/`, so a neighbouring subdomain can
 * neither plant nor overwrite it.
 */
export function sessionCookie(config: AppConfig): { name: string; options: CookieOptions } {
  const secure = config.secureCookies;
  return {
    name: secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE,
    options: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_TTL_MS },
  };
}

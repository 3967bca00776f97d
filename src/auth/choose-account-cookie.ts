import type { CookieOptions, Request, Response } from 'express';
import { cookieValue } from '../common/cookie-value';
import type { AppConfig } from '../config/app-config';

/** The cookie's name; with an https `BASE_URL` it takes the `__Host-` prefix, as the session cookie does. */
export const CHOOSE_ACCOUNT_COOKIE = 'bookshelf.choose-account';

/** A year: the note outlives any session (30 days at most) and stays within what browsers keep (400 days). */
const LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * "The next sign-in from this browser lets the person choose an account": set at sign-out (when the
 * session, destroyed, can no longer say so), cleared by the next successful sign-in. While a browser
 * carries it, starting sign-in asks the provider for `prompt=select_account`, so a live session at the
 * provider is offered, not silently used. It holds only `1`, never an email or id, and is `HttpOnly`:
 * planting or removing it only decides whether a provider page is shown.
 */
export class ChooseAccountCookie {
  readonly name: string;
  private readonly options: CookieOptions;

  constructor(config: AppConfig) {
    const secure = config.secureCookies;
    this.name = secure ? `__Host-${CHOOSE_ACCOUNT_COOKIE}` : CHOOSE_ACCOUNT_COOKIE;
    this.options = { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: LIFETIME_MS };
  }

  isSetOn(req: Request): boolean {
    return cookieValue(req.headers.cookie, this.name) === '1';
  }

  set(res: Response): void {
    res.cookie(this.name, '1', this.options);
  }

  clear(res: Response): void {
    const { maxAge: _, ...attributes } = this.options;
    res.clearCookie(this.name, attributes);
  }
}

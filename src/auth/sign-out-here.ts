import type { Request, Response } from 'express';
import type { AppConfig } from '../config/app-config';
import { sessionCookie } from '../sessions/session-cookie';
import { ChooseAccountCookie } from './choose-account-cookie';

/**
 * Ends this very session and sends the browser to `to` (303): the session is destroyed in the store (and
 * so not saved again at the end of the request), its cookie cleared, and the browser told that its next
 * sign-in must let the person choose an account (`ChooseAccountCookie`).
 */
export async function signOutHere(req: Request, res: Response, config: AppConfig, to: string): Promise<void> {
  await new Promise<void>((resolve, reject) => req.session.destroy((error: unknown) => (error ? reject(error) : resolve())));
  const cookie = sessionCookie(config);
  const { maxAge: _, ...attributes } = cookie.options;
  res.clearCookie(cookie.name, attributes);
  new ChooseAccountCookie(config).set(res);
  res.redirect(303, to);
}

import type { Response } from 'express';
import type { SessionData } from 'express-session';

/** How a one-time message looks: a success, something to know, or something that went wrong. */
export type FlashKind = 'success' | 'info' | 'error';

export interface Flash {
  kind: FlashKind;
  text: string;
}

/**
 * A form that was refused, kept for the page the browser is sent back to (post/redirect/get): what was
 * typed, a message per field, and the status that page answers with (422, or 413 for an upload too large).
 * Only the page at `path` shows it, once.
 */
export interface FailedForm {
  path: string;
  status: number;
  values: Record<string, unknown>;
  errors: Record<string, string>;
}

declare module 'express-session' {
  interface SessionData {
    /** One message shown on the next page, then forgotten. */
    flash?: Flash;
    /** A refused form, shown again by the page at its `path`, then forgotten. */
    failedForm?: FailedForm;
  }
}

type PageSession = Partial<SessionData>;

/** Messages named by `?notice=` after a redirect that ended the session (nowhere else to keep them). */
export const NOTICES: Readonly<Record<string, Flash>> = {
  'signed-out': { kind: 'info', text: 'You have signed out.' },
  'account-deleted': { kind: 'info', text: 'Your account is deleted: your books, their covers and your sessions are gone.' },
};

/** Bootstrap's alert style for each kind; an error is announced at once (role "alert"), the rest politely. */
const STYLES: Record<FlashKind, string> = { success: 'alert-success', info: 'alert-info', error: 'alert-danger' };

/** What the layout's flash partial shows; a bare string is a message kept by an earlier version. */
export function flashView(kept: Flash | string): Flash & { style: string; urgent: boolean } {
  const message: Flash = typeof kept === 'string' ? { kind: 'info', text: kept } : kept;
  return { ...message, style: STYLES[message.kind] ?? STYLES.info, urgent: message.kind === 'error' };
}

export function flash(session: PageSession, kind: FlashKind, text: string): void {
  session.flash = { kind, text };
}

/**
 * Answers a refused form with a 303 back to its page, which shows it again (`takeFailedForm`): Back and
 * Reload then never resend the post. The session keeps it until that page is shown.
 */
export function redirectToFailedForm(session: PageSession, res: Response, form: FailedForm): void {
  session.failedForm = form;
  res.redirect(303, form.path);
}

/** The refused form for the page at `path`, forgotten as it is read (so a reload shows the form afresh). */
export function takeFailedForm(session: PageSession | undefined, path: string): FailedForm | undefined {
  const form = session?.failedForm;
  if (!form || form.path !== path) return undefined;
  delete session.failedForm;
  return form;
}

/** A refused form is for the very next page: one that is not its own forgets it. */
export function forgetFailedFormUnlessAt(session: PageSession | undefined, path: string): void {
  if (session?.failedForm && session.failedForm.path !== path) delete session.failedForm;
}

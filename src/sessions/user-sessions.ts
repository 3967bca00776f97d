import type { SessionData } from 'express-session';

/** One stored session of a signed-in person, as the store keeps it. */
export interface StoredSession {
  /** The session id: never shown to anyone (the account page shows an opaque handle instead). */
  id: string;
  data: SessionData;
  expiresAt: Date;
}

/**
 * The sessions of one person, on every instance: every session store keeps an index by the signed-in
 * user's id (`data.passport.user.id`) beside the sessions themselves.
 *
 * Invariants every store keeps: `sessionsOf` returns every unexpired session whose user is `userId` and
 * no other (in no particular order), whichever instance wrote it; the index never outgrows the sessions
 * it points at (it expires with them); `end` deletes the given sessions at once, so their cookies are
 * useless on every instance from then on, and ignores ids that are already gone. Failures reject (the
 * caller answers 503); nothing hangs past the backend time budget.
 */
export abstract class UserSessions {
  abstract sessionsOf(userId: string): Promise<StoredSession[]>;
  abstract end(sessionIds: readonly string[]): Promise<void>;
}

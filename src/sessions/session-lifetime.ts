/** One lifetime for every store (docs/architecture.md section 4): 14 days, sliding. */
export const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** A store records a session's new expiry at most this often, so reading a page is not a write. */
export const SESSION_TOUCH_INTERVAL_MS = 60 * 60 * 1000;
/** How often expired sessions are removed from stores that do not expire them natively. */
export const SESSION_PRUNE_INTERVAL_MS = 15 * 60 * 1000;

export function expiryOf(session: { cookie?: { expires?: Date | string | null } }, now = Date.now()): number {
  const expires = session.cookie?.expires;
  return expires ? new Date(expires).getTime() : now + SESSION_TTL_MS;
}
/** A sign-in that has not finished keeps its state (OAuth `state`, PKCE verifier, return path) this long. */
export const SIGN_IN_TTL_MS = 10 * 60 * 1000;
/** However active, a session ends this long after its sign-in. */
export const SESSION_ABSOLUTE_TTL_MS = 30 * 24 * 60 * 60 * 1000;

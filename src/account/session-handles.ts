import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Opaque, stable names for sessions on the account page: an HMAC of the session id under the session
 * secret, so a handle reveals nothing of the id (which would be a bearer credential) and cannot be made
 * up for someone else's session.
 */
export class SessionHandles {
  constructor(private readonly secret: string) {}

  of(sessionId: string): string {
    return createHmac('sha256', this.secret).update(`account-session:${sessionId}`).digest('base64url').slice(0, 22);
  }

  matches(handle: string, sessionId: string): boolean {
    const expected = Buffer.from(this.of(sessionId));
    const given = Buffer.from(handle);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

import type { Request, Response } from 'express';
import { limitSessionLifetime } from './session-limits.middleware';
import { SESSION_ABSOLUTE_TTL_MS, SESSION_TTL_MS, SIGN_IN_TTL_MS } from './session-lifetime';

const DAY = 24 * 60 * 60 * 1000;

/** Just the parts of express-session's Session the middleware uses (a unit test of one function). */
function requestWith(signedIn: boolean, signedInAt?: number) {
  const fresh = { cookie: { maxAge: SESSION_TTL_MS } };
  const req = {
    user: signedIn ? { id: 'sub-1', name: 'Ada', email: '', picture: null } : undefined,
    session: {
      cookie: { maxAge: SESSION_TTL_MS },
      signedInAt,
      regenerate(callback: (error?: unknown) => void) {
        req.session = fresh as never;
        callback();
      },
    },
  };
  return { req, fresh };
}

function run(req: unknown): Promise<unknown> {
  return new Promise((resolve) => limitSessionLifetime(req as Request, {} as Response, resolve));
}

describe(limitSessionLifetime.name, () => {
  it('gives a session of nobody signed in ten minutes', async () => {
    const { req } = requestWith(false);
    await run(req);
    expect(req.session.cookie.maxAge).toBe(SIGN_IN_TTL_MS);
  });

  it('lets a signed-in session slide 14 days while its 30 days last', async () => {
    const { req } = requestWith(true, Date.now() - 2 * DAY);
    await run(req);
    expect(req.user).toBeDefined();
    expect(req.session.cookie.maxAge).toBe(SESSION_TTL_MS);
  });

  it('never lets a session outlive 30 days after sign-in', async () => {
    const { req } = requestWith(true, Date.now() - 25 * DAY);
    await run(req);
    expect(req.session.cookie.maxAge).toBeLessThanOrEqual(5 * DAY);
    expect(req.session.cookie.maxAge).toBeGreaterThan(5 * DAY - 60_000);
  });

  it('ends a session 30 days after sign-in however active, leaving a fresh one for signing in again', async () => {
    const { req, fresh } = requestWith(true, Date.now() - SESSION_ABSOLUTE_TTL_MS - 1);
    await expect(run(req)).resolves.toBeUndefined();
    expect(req.user).toBeUndefined();
    expect(req.session).toBe(fresh);
    expect(fresh.cookie.maxAge).toBe(SIGN_IN_TTL_MS);
  });

  it('starts the 30 days of a session from before the rule at its next request', async () => {
    const { req } = requestWith(true);
    await run(req);
    expect(req.session.signedInAt).toBeGreaterThan(Date.now() - 1000);
  });
});

import { randomBytes } from 'node:crypto';
import type { SessionData, Store } from 'express-session';
import { SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../../src/sessions/session-lifetime';
import { eventually } from '../helpers/eventually';

/**
 * The one contract suite of the express-session stores (docs/architecture.md section 4: one lifetime for every
 * store, 14 days sliding, `touch` written at most once an hour, expired sessions removed). Call it from a
 * `*.contract-spec.ts` file:
 *
 * ```ts
 * describeSessionStoreContract(`${SqlSessionStore.name} on PostgreSQL`, async () => {
 *   const sql = ...;                        // an open, migrated database
 *   const store = new SqlSessionStore(sql);
 *   return {
 *     store,
 *     storedExpiry: async (sid) => ...,     // the expiry the backend recorded (epoch ms), or null
 *     removeExpired: () => store.prune(),   // only for stores that delete expired sessions on a timer
 *     close: async () => { store.close(); await sql.close(); },
 *   };
 * });
 * ```
 *
 * `setup` runs once before the suite and `close` once after it. Every test uses new session ids, so the
 * store needs no reset.
 */
export interface SessionStoreHarness {
  store: Store;
  /**
   * When the backend will forget `sid` (epoch milliseconds), as it recorded it; null when it holds no such
   * session. Read straight from the backend, not through the store.
   */
  storedExpiry(sid: string): Promise<number | null>;
  /** Deletes expired sessions now, for stores that do it on a timer; omit when the backend expires them itself. */
  removeExpired?(): Promise<void>;
  close(): Promise<void>;
}

/** Stores may round an expiry (Redis keeps whole seconds for a new key), and the test takes time too. */
const EXPIRY_TOLERANCE_MS = 2000;

type Callback<T> = (error?: unknown, value?: T) => void;

/** Calls a callback-style store method and settles with its result. */
export function call<T = void>(method: (callback: Callback<T>) => unknown): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    method((error, value) => (error ? reject(error as Error) : resolve(value)));
  });
}

/** What express-session hands a store: the cookie (with its expiry) and what the app keeps in the session. */
export function sessionData(expiresAt: number, extra: Record<string, unknown> = {}): SessionData {
  const cookie = {
    originalMaxAge: expiresAt - Date.now(),
    expires: new Date(expiresAt),
    httpOnly: true,
    secure: false,
    sameSite: 'lax',
    path: '/',
  };
  return { cookie, ...extra } as unknown as SessionData;
}

function newSid(): string {
  return randomBytes(18).toString('base64url');
}

export function describeSessionStoreContract(name: string, setup: () => Promise<SessionStoreHarness>): void {
  describe(name, () => {
    let harness: SessionStoreHarness;
    let store: Store;

    beforeAll(async () => {
      harness = await setup();
      store = harness.store;
    });

    afterAll(async () => {
      await harness?.close();
    });

    const get = (sid: string) => call<SessionData | null>((cb) => store.get(sid, cb)).then((value) => value ?? null);
    const set = (sid: string, data: SessionData) => call((cb) => store.set(sid, data, cb));
    const destroy = (sid: string) => call((cb) => store.destroy(sid, cb));
    const touch = (sid: string, data: SessionData) => call((cb) => store.touch!(sid, data, cb));

    async function expectStoredExpiry(sid: string, expected: number): Promise<void> {
      const stored = await harness.storedExpiry(sid);
      expect(stored).not.toBeNull();
      expect(Math.abs(stored! - expected)).toBeLessThanOrEqual(EXPIRY_TOLERANCE_MS);
    }

    it('stores a session and reads it back', async () => {
      const sid = newSid();
      const user = { id: 'sub-1', name: 'Zoë 🦊 "quoted"', email: 'zoe@example.com', picture: null };
      await set(sid, sessionData(Date.now() + SESSION_TTL_MS, { passport: { user }, csrfToken: 'token-1' }));

      const session = await get(sid);

      expect(session).toMatchObject({ passport: { user }, csrfToken: 'token-1', cookie: { httpOnly: true, path: '/' } });
    });

    it('reads an unknown session as nothing', async () => {
      await expect(get(newSid())).resolves.toBeNull();
    });

    it('replaces a session when it is saved again', async () => {
      const sid = newSid();
      await set(sid, sessionData(Date.now() + SESSION_TTL_MS, { flash: 'first' }));
      await set(sid, sessionData(Date.now() + SESSION_TTL_MS, { flash: 'second' }));

      await expect(get(sid)).resolves.toMatchObject({ flash: 'second' });
    });

    it('accepts two first saves of the same new session at once', async () => {
      const sid = newSid();
      await Promise.all([
        set(sid, sessionData(Date.now() + SESSION_TTL_MS, { flash: 'a' })),
        set(sid, sessionData(Date.now() + SESSION_TTL_MS, { flash: 'a' })),
      ]);

      await expect(get(sid)).resolves.toMatchObject({ flash: 'a' });
    });

    it('destroys a session, and destroying an unknown one is no error', async () => {
      const sid = newSid();
      await set(sid, sessionData(Date.now() + SESSION_TTL_MS));

      await destroy(sid);

      await expect(get(sid)).resolves.toBeNull();
      await expect(harness.storedExpiry(sid)).resolves.toBeNull();
      // Settles without an error (its value, if any, means nothing).
      await destroy(newSid());
    });

    it('keeps a session for the cookie lifetime of 14 days', async () => {
      const sid = newSid();
      const expiresAt = Date.now() + SESSION_TTL_MS;

      await set(sid, sessionData(expiresAt));

      await expectStoredExpiry(sid, expiresAt);
    });

    it('slides the expiry on touch, but writes at most once an hour', async () => {
      const sid = newSid();
      const recent = Date.now() + SESSION_TTL_MS - SESSION_TOUCH_INTERVAL_MS / 2;
      await set(sid, sessionData(recent, { flash: 'kept' }));

      // Recorded less than an hour ago: touching changes nothing.
      await touch(sid, sessionData(Date.now() + SESSION_TTL_MS));
      await expectStoredExpiry(sid, recent);

      // Recorded two hours ago: touching slides it to a full lifetime again, keeping the data.
      await set(sid, sessionData(Date.now() + SESSION_TTL_MS - 2 * SESSION_TOUCH_INTERVAL_MS, { flash: 'kept' }));
      const slid = Date.now() + SESSION_TTL_MS;
      await touch(sid, sessionData(slid));
      await expectStoredExpiry(sid, slid);
      await expect(get(sid)).resolves.toMatchObject({ flash: 'kept' });
    });

    it('does not bring a destroyed session back on touch', async () => {
      const sid = newSid();
      await set(sid, sessionData(Date.now() + SESSION_TTL_MS - 2 * SESSION_TOUCH_INTERVAL_MS));
      await destroy(sid);

      await touch(sid, sessionData(Date.now() + SESSION_TTL_MS));

      await expect(get(sid)).resolves.toBeNull();
      await expect(harness.storedExpiry(sid)).resolves.toBeNull();
    });

    it('reads a session whose cookie has already expired as nothing', async () => {
      const sid = newSid();
      await set(sid, sessionData(Date.now() - 1000));

      await expect(get(sid)).resolves.toBeNull();
    });

    it('forgets a session when its cookie expires, and removes it', async () => {
      const sid = newSid();
      const expiresAt = Date.now() + 1500;
      await set(sid, sessionData(expiresAt, { flash: 'brief' }));
      await expect(get(sid)).resolves.toMatchObject({ flash: 'brief' });

      await eventually(async () => expect(await get(sid)).toBeNull(), { timeoutMs: 5000, intervalMs: 50 });
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 1000);
      await harness.removeExpired?.();

      await eventually(async () => expect(await harness.storedExpiry(sid)).toBeNull(), { timeoutMs: 5000, intervalMs: 50 });
    });
  });
}

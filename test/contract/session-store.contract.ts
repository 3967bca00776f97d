import { randomBytes } from 'node:crypto';
import type { SessionData, Store } from 'express-session';
import { SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../../src/sessions/session-lifetime';
import type { UserSessions } from '../../src/sessions/user-sessions';
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
 *   const other = new SqlSessionStore(otherConnection);  // a second instance over the same database
 *   return {
 *     store,
 *     userSessions: store,                  // the UserSessions of the same instance
 *     other: { store: other, userSessions: other },
 *     storedExpiry: async (sid) => ...,     // the expiry the backend recorded (epoch ms), or null
 *     indexedSessions: async (userId) => ...,  // the ids the backend's index by user holds
 *     writeUnindexed: async (sid, session) => ...,  // a session as written before that index existed
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
  /** The UserSessions of the same instance (what SessionsModule provides beside `store`). */
  userSessions: UserSessions;
  /** Another instance over the same database, as another app process has: its own store object and client. */
  other: { store: Store; userSessions: UserSessions };
  /**
   * When the backend will forget `sid` (epoch milliseconds), as it recorded it; null when it holds no such
   * session. Read straight from the backend, not through the store.
   */
  storedExpiry(sid: string): Promise<number | null>;
  /**
   * The session ids that the backend's index by user holds for `userId`, expired or not, read straight from
   * the backend (SQL `user_id`, MongoDB `userId`, Datastore `userId`, Redis the user's sorted set).
   */
  indexedSessions(userId: string): Promise<string[]>;
  /** Writes a session straight to the backend as the store did before it kept an index by user. */
  writeUnindexed(sid: string, session: SessionData): Promise<void>;
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

/** A user of its own for each test, as passport's serializer stores it (src/auth/session.serializer.ts). */
function newUser(name = 'Ada') {
  return { id: `sub-${randomBytes(6).toString('hex')}`, name, email: 'ada@example.com', picture: null };
}

function signedIn(expiresAt: number, user: { id: string }, extra: Record<string, unknown> = {}): SessionData {
  return sessionData(expiresAt, { passport: { user }, signedInAt: Date.now(), csrfToken: 'token', ...extra });
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

    describe('UserSessions', () => {
      const ids = (sessions: { id: string }[]) => sessions.map((s) => s.id).sort();
      const onOther = {
        get: (sid: string) => call<SessionData | null>((cb) => harness.other.store.get(sid, cb)).then((value) => value ?? null),
        set: (sid: string, data: SessionData) => call((cb) => harness.other.store.set(sid, data, cb)),
      };

      it('finds every unexpired session of one user, whichever instance wrote it, and no one else’s', async () => {
        const ada = newUser();
        const grace = newUser('Grace');
        const [mine, mineElsewhere, hers, anonymous, signingIn, expired] = [newSid(), newSid(), newSid(), newSid(), newSid(), newSid()];
        const expiresAt = Date.now() + SESSION_TTL_MS;
        await set(mine, signedIn(expiresAt, ada, { flash: 'here' }));
        await onOther.set(mineElsewhere, signedIn(expiresAt, ada));
        await set(hers, signedIn(expiresAt, grace));
        await set(anonymous, sessionData(expiresAt, { flash: 'nobody' }));
        await set(signingIn, sessionData(expiresAt, { passport: {} }));
        await set(expired, signedIn(Date.now() - 1000, ada));

        const found = await harness.userSessions.sessionsOf(ada.id);
        const foundElsewhere = await harness.other.userSessions.sessionsOf(ada.id);

        expect(ids(found)).toEqual([mine, mineElsewhere].sort());
        expect(ids(foundElsewhere)).toEqual([mine, mineElsewhere].sort());
        const here = found.find((s) => s.id === mine)!;
        expect(here.data).toMatchObject({ passport: { user: ada }, flash: 'here' });
        expect(here.expiresAt).toBeInstanceOf(Date);
        expect(Math.abs(here.expiresAt.getTime() - expiresAt)).toBeLessThanOrEqual(EXPIRY_TOLERANCE_MS);
        expect(ids(await harness.other.userSessions.sessionsOf(grace.id))).toEqual([hers]);
        await expect(harness.userSessions.sessionsOf(newUser().id)).resolves.toEqual([]);
      });

      it('follows a session saved again: signed out, or signed in as someone else', async () => {
        const ada = newUser();
        const grace = newUser('Grace');
        const [signsOut, changesHands] = [newSid(), newSid()];
        const expiresAt = Date.now() + SESSION_TTL_MS;
        await set(signsOut, signedIn(expiresAt, ada));
        await set(changesHands, signedIn(expiresAt, ada));
        expect(ids(await harness.userSessions.sessionsOf(ada.id))).toEqual([signsOut, changesHands].sort());

        await onOther.set(signsOut, sessionData(expiresAt, { flash: 'signed out' }));
        await onOther.set(changesHands, signedIn(expiresAt, grace));

        await expect(harness.userSessions.sessionsOf(ada.id)).resolves.toEqual([]);
        expect(ids(await harness.userSessions.sessionsOf(grace.id))).toEqual([changesHands]);
      });

      it('still finds a session after a touch slides it, with its new expiry', async () => {
        const ada = newUser();
        const sid = newSid();
        await set(sid, signedIn(Date.now() + SESSION_TTL_MS - 2 * SESSION_TOUCH_INTERVAL_MS, ada));
        await expect(get(sid)).resolves.not.toBeNull();

        const slid = Date.now() + SESSION_TTL_MS;
        await touch(sid, signedIn(slid, ada));
        await expectStoredExpiry(sid, slid);

        const found = await harness.other.userSessions.sessionsOf(ada.id);
        expect(ids(found)).toEqual([sid]);
        expect(Math.abs(found[0].expiresAt.getTime() - slid)).toBeLessThanOrEqual(EXPIRY_TOLERANCE_MS);
      });

      it('indexes a session saved before the index existed once a sliding touch writes it', async () => {
        const ada = newUser();
        const sid = newSid();
        await harness.writeUnindexed(sid, signedIn(Date.now() + SESSION_TTL_MS - 2 * SESSION_TOUCH_INTERVAL_MS, ada));
        await expect(get(sid)).resolves.toMatchObject({ passport: { user: ada } });
        await expect(harness.userSessions.sessionsOf(ada.id)).resolves.toEqual([]);

        await touch(sid, signedIn(Date.now() + SESSION_TTL_MS, ada));

        expect(ids(await harness.other.userSessions.sessionsOf(ada.id))).toEqual([sid]);
      });

      it('ends sessions at once on every instance, with their index entries; unknown ids are no error', async () => {
        const ada = newUser();
        const [first, second, kept] = [newSid(), newSid(), newSid()];
        const expiresAt = Date.now() + SESSION_TTL_MS;
        await set(first, signedIn(expiresAt, ada));
        await onOther.set(second, signedIn(expiresAt, ada));
        await set(kept, signedIn(expiresAt, ada));
        // Read on the other instance first, as a request there would have.
        await expect(onOther.get(first)).resolves.not.toBeNull();

        await harness.userSessions.end([first, second, newSid()]);

        await expect(onOther.get(first)).resolves.toBeNull();
        await expect(onOther.get(second)).resolves.toBeNull();
        await expect(get(second)).resolves.toBeNull();
        await expect(harness.storedExpiry(first)).resolves.toBeNull();
        expect(ids(await harness.other.userSessions.sessionsOf(ada.id))).toEqual([kept]);
        await expect(harness.indexedSessions(ada.id)).resolves.toEqual([kept]);
        await expect(onOther.get(kept)).resolves.toMatchObject({ passport: { user: ada } });
        // Nothing to end, and ids already gone.
        await harness.other.userSessions.end([]);
        await harness.other.userSessions.end([first]);
      });

      it('keeps no index entry for a destroyed session, nor past the sessions’ expiry', async () => {
        const ada = newUser();
        const [destroyed, brief] = [newSid(), newSid()];
        await set(destroyed, signedIn(Date.now() + SESSION_TTL_MS, ada));
        const expiresAt = Date.now() + 1500;
        await onOther.set(brief, signedIn(expiresAt, ada));
        await destroy(destroyed);
        await expect(harness.indexedSessions(ada.id)).resolves.toEqual([brief]);
        expect(ids(await harness.userSessions.sessionsOf(ada.id))).toEqual([brief]);

        await eventually(async () => expect(await harness.userSessions.sessionsOf(ada.id)).toEqual([]), {
          timeoutMs: 5000,
          intervalMs: 50,
        });
        expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 1000);
        await harness.removeExpired?.();

        await eventually(async () => expect(await harness.indexedSessions(ada.id)).toEqual([]), { timeoutMs: 5000, intervalMs: 50 });
      });
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

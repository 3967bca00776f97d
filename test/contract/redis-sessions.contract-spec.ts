import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisSessionStore } from '../../src/sessions/stores/redis-session.store';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { REDIS_URL, redisUnavailable } from '../helpers/sql-servers';
import { expiryOf, SESSION_TTL_MS } from '../../src/sessions/session-lifetime';
import { call, describeSessionStoreContract, sessionData } from './session-store.contract';

describeWhen(redisUnavailable())('Redis', () => {
  describeSessionStoreContract(`${RedisSessionStore.name} on Redis`, async () => {
    // A key prefix of its own, so that this suite shares the machine's Redis with anyone.
    const prefix = `bookshelf-test-${randomBytes(6).toString('hex')}:`;
    const options = { prefix, userPrefix: `${prefix}user-sess:` };
    // Two instances: two stores, each with a client of its own.
    const store = RedisSessionStore.connect(REDIS_URL, options);
    const other = RedisSessionStore.connect(REDIS_URL, options);
    // The store connects in the background (the app may start before Redis): wait until it is ready.
    await eventually(() => Promise.all([store.ping(), other.ping()]), { timeoutMs: 10_000 });
    const inspector = createClient({ url: REDIS_URL });
    await inspector.connect();
    return {
      store,
      userSessions: store,
      other: { store: other, userSessions: other },
      // The sorted set as Redis holds it, members past their expiry included (nothing prunes on this read).
      // connect-redis's own key: the session as JSON, expiring with it.
      writeUnindexed: async (sid, session) =>
        void (await inspector.set(prefix + sid, JSON.stringify(session), { expiration: { type: 'PXAT', value: expiryOf(session) } })),
      indexedSessions: (userId) => inspector.zRange(options.userPrefix + userId, 0, -1),
      storedExpiry: async (sid) => {
        const remainingMs = await inspector.pTTL(prefix + sid);
        return remainingMs >= 0 ? Date.now() + remainingMs : null;
      },
      close: async () => {
        const keys = await inspector.keys(`${prefix}*`);
        if (keys.length > 0) await inspector.del(keys);
        await inspector.close();
        await Promise.all([store.close(), other.close()]);
      },
    };
  });

  describe(`${RedisSessionStore.name}'s sorted set per user`, () => {
    const prefix = `bookshelf-test-${randomBytes(6).toString('hex')}:`;
    const userPrefix = `${prefix}user-sess:`;
    let store: RedisSessionStore;
    let inspector: ReturnType<typeof createClient>;

    beforeAll(async () => {
      store = RedisSessionStore.connect(REDIS_URL, { prefix, userPrefix });
      await eventually(() => store.ping(), { timeoutMs: 10_000 });
      inspector = createClient({ url: REDIS_URL });
      await inspector.connect();
    });

    afterAll(async () => {
      if (inspector?.isOpen) {
        const keys = await inspector.keys(`${prefix}*`);
        if (keys.length > 0) await inspector.del(keys);
        await inspector.close();
      }
      await store?.close();
    });

    const user = () => ({ id: `sub-${randomBytes(6).toString('hex')}`, name: 'Ada', email: 'ada@example.com', picture: null });
    const set = (sid: string, expiresAt: number, id: string) =>
      call((cb) => store.set(sid, sessionData(expiresAt, { passport: { user: { ...user(), id } } }), cb));
    const expiryOfSet = async (userId: string) => {
      const remainingMs = await inspector.pTTL(userPrefix + userId);
      return remainingMs >= 0 ? Date.now() + remainingMs : remainingMs;
    };

    it('expires with its latest session, also when that one is destroyed first, without being read', async () => {
      const { id } = user();
      const brief = Date.now() + 1500;
      const long = Date.now() + SESSION_TTL_MS;
      await set('brief', brief, id);
      await set('long', long, id);
      expect(Math.abs((await expiryOfSet(id)) - long)).toBeLessThanOrEqual(50);

      await call((cb) => store.destroy('long', cb));
      expect(await inspector.zRange(userPrefix + id, 0, -1)).toEqual(['brief']);
      expect(Math.abs((await expiryOfSet(id)) - brief)).toBeLessThanOrEqual(50);

      // Redis removes it on its own once the brief session has expired.
      await eventually(async () => expect(await inspector.exists(userPrefix + id)).toBe(0), { timeoutMs: 5000, intervalMs: 50 });
      expect(Date.now()).toBeGreaterThanOrEqual(brief - 50);
    });

    it('drops members past their expiry when it is read', async () => {
      const { id } = user();
      await set('gone', Date.now() + 1000, id);
      await set('stays', Date.now() + SESSION_TTL_MS, id);
      await eventually(async () => expect(await inspector.exists(prefix + 'gone')).toBe(0), { timeoutMs: 5000, intervalMs: 50 });
      expect((await inspector.zRange(userPrefix + id, 0, -1)).sort()).toEqual(['gone', 'stays']);

      expect((await store.sessionsOf(id)).map((s) => s.id)).toEqual(['stays']);

      expect(await inspector.zRange(userPrefix + id, 0, -1)).toEqual(['stays']);
    });
  });
});

import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisSessionStore } from '../../src/sessions/stores/redis-session.store';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { REDIS_URL, redisUnavailable } from '../helpers/sql-servers';
import { describeSessionStoreContract } from './session-store.contract';

describeWhen(redisUnavailable())('Redis', () => {
  describeSessionStoreContract(`${RedisSessionStore.name} on Redis`, async () => {
    // A key prefix of its own, so that this suite shares the machine's Redis with anyone.
    const prefix = `bookshelf-test-${randomBytes(6).toString('hex')}:`;
    const store = RedisSessionStore.connect(REDIS_URL, { prefix });
    // The store connects in the background (the app may start before Redis): wait until it is ready.
    await eventually(() => store.ping(), { timeoutMs: 10_000 });
    const inspector = createClient({ url: REDIS_URL });
    await inspector.connect();
    return {
      store,
      storedExpiry: async (sid) => {
        const remainingMs = await inspector.pTTL(prefix + sid);
        return remainingMs >= 0 ? Date.now() + remainingMs : null;
      },
      close: async () => {
        const keys = await inspector.keys(`${prefix}*`);
        if (keys.length > 0) await inspector.del(keys);
        await inspector.close();
        await store.close();
      },
    };
  });
});

import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { QUERY_TIMEOUT_MS } from '../../database/backend-limits';
import { connectRedis, type RedisClient } from '../../database/redis-client';
import { expiryOf, SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../session-lifetime';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's and connect-redis's own callback type
type Callback = (error?: unknown, value?: any) => void;

/**
 * express-session store in Redis (`SESSION_STORE=redis`): connect-redis 9 over node-redis.
 *
 * - Redis expires the keys itself, with the session cookie's expiry as TTL (14 days, sliding), so nothing
 *   needs pruning.
 * - While Redis is unreachable every call fails at once (`disableOfflineQueue`), and while it does not
 *   answer (a frozen server, a network partition) every call gives up after QUERY_TIMEOUT_MS: node-redis's
 *   own command timeout stops counting once a command is sent, so the store keeps its own deadline. Either
 *   way a request that needs its session gets a 503 page, never a hang. The client keeps reconnecting in
 *   the background, so the app recovers by itself when Redis is back.
 * - `touch` writes at most once an hour (SESSION_TOUCH_INTERVAL_MS), like every store.
 */
export class RedisSessionStore extends RedisStore {
  constructor(
    private readonly redis: RedisClient,
    prefix = 'bookshelf:sess:',
  ) {
    // `ttl` (seconds) applies only to a session without a cookie expiry; sessions normally carry one.
    super({ client: redis, prefix, ttl: SESSION_TTL_MS / 1000 });
  }

  /** A store over a new client for `url`. Does not wait for Redis: the app starts (not ready) without it. */
  static connect(url: string, options: { prefix?: string } = {}): RedisSessionStore {
    return new RedisSessionStore(connectRedis(url, 'sessions'), options.prefix);
  }

  override get(sid: string, callback?: Callback): Promise<unknown> {
    return this.answer(super.get(sid), callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): Promise<unknown> {
    return this.answer(super.set(sid, session), callback);
  }

  override destroy(sid: string, callback?: Callback): Promise<unknown> {
    return this.answer(super.destroy(sid), callback);
  }

  override touch(sid: string, session: SessionData, callback?: Callback): Promise<unknown> {
    return this.answer(this.slide(sid, session), callback);
  }

  /**
   * Slides the expiry like connect-redis does, but writes only when the stored TTL is more than the touch
   * interval behind: one read per request, one write per hour.
   */
  private async slide(sid: string, session: SessionData): Promise<void> {
    const key = this.prefix + sid;
    const ttlMs = expiryOf(session) - Date.now();
    const remainingMs = await this.redis.pTTL(key);
    // -2: the session is gone (expired or destroyed), there is nothing to slide; -1: no TTL, set one.
    if (remainingMs !== -2 && remainingMs < ttlMs - SESSION_TOUCH_INTERVAL_MS) await this.redis.pExpire(key, ttlMs);
  }

  /** Resolves when Redis answers (for readiness checks). */
  async ping(): Promise<void> {
    await this.answer(this.redis.ping());
  }

  async close(): Promise<void> {
    if (this.redis.isOpen) await this.redis.close();
  }

  /** Settles `work` within QUERY_TIMEOUT_MS, through the callback when there is one (as connect-redis does). */
  private async answer<T>(work: Promise<T>, callback?: Callback): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${QUERY_TIMEOUT_MS} ms`)), QUERY_TIMEOUT_MS);
    });
    let outcome: { error: unknown } | { value: T };
    try {
      outcome = { value: await Promise.race([work, deadline]) };
    } catch (error) {
      outcome = { error };
    } finally {
      clearTimeout(timer);
    }
    if (!callback) {
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    }
    if ('error' in outcome) callback(outcome.error);
    else callback(null, outcome.value);
    return undefined;
  }
}

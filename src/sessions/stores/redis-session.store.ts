import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { QUERY_TIMEOUT_MS } from '../../database/backend-limits';
import { connectRedis, type RedisClient } from '../../database/redis-client';
import { expiryOf, SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../session-lifetime';
import type { StoredSession, UserSessions } from '../user-sessions';
import { signedInUserOf } from './signed-in-user';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- express-session's and connect-redis's own callback type
type Callback = (error?: unknown, value?: any) => void;
type Multi = ReturnType<RedisClient['multi']>;

/**
 * For one user's set (KEYS[1]), atomically: removes the members past their expiry (ARGV[1], epoch ms) and
 * sets the set's TTL to its latest member's expiry, so that it ends with its last session (Redis deletes
 * an emptied set itself). Scores are whole milliseconds, which Redis prints as integers.
 */
const PRUNE_USER_SET = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIREAT', KEYS[1], last[2]) end
return 0`;

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
 * - UserSessions: a sorted set per signed-in user (`bookshelf:user-sess:<userId>`), members the session
 *   ids, scores their expiry (epoch ms), written in the same MULTI as the session on set, touch and
 *   destroy. Whenever the set is written or read, members past their expiry are removed and the set's own
 *   TTL set to its latest member's expiry, so it ends with its last session. A member whose session is
 *   gone or belongs to someone else (a race with destroy, a session saved again signed out) is never
 *   returned, and is removed when read.
 */
export class RedisSessionStore extends RedisStore implements UserSessions {
  constructor(
    private readonly redis: RedisClient,
    prefix = 'bookshelf:sess:',
    private readonly userPrefix = 'bookshelf:user-sess:',
  ) {
    // `ttl` (seconds) applies only to a session without a cookie expiry; sessions normally carry one.
    super({ client: redis, prefix, ttl: SESSION_TTL_MS / 1000 });
  }

  /** A store over a new client for `url`. Does not wait for Redis: the app starts (not ready) without it. */
  static connect(url: string, options: { prefix?: string; userPrefix?: string } = {}): RedisSessionStore {
    return new RedisSessionStore(connectRedis(url, 'sessions'), options.prefix, options.userPrefix);
  }

  override get(sid: string, callback?: Callback): Promise<unknown> {
    return this.answer(super.get(sid), callback);
  }

  override set(sid: string, session: SessionData, callback?: Callback): Promise<unknown> {
    return this.answer(this.save(sid, session), callback);
  }

  override destroy(sid: string, callback?: Callback): Promise<unknown> {
    return this.answer(this.remove([sid]), callback);
  }

  async sessionsOf(userId: string): Promise<StoredSession[]> {
    return (await this.answer(this.find(userId)))!;
  }

  async end(sessionIds: readonly string[]): Promise<void> {
    await this.answer(this.remove(sessionIds));
  }

  /**
   * connect-redis's `set` (the same serializer and key, a session already expired is deleted), with the
   * expiry to the millisecond and the user's index entry in one MULTI.
   */
  private async save(sid: string, session: SessionData): Promise<void> {
    const expiresAt = expiryOf(session);
    if (expiresAt <= Date.now()) return this.remove([sid]);
    const multi = this.redis.multi().set(this.prefix + sid, this.serializer.stringify(session), {
      expiration: { type: 'PXAT', value: expiresAt },
    });
    this.index(multi, signedInUserOf(session), sid, expiresAt);
    await multi.exec();
  }

  /** Adds (or moves) `sid` in its user's set, with the set's pruning. */
  private index(multi: Multi, userId: string | null, sid: string, expiresAt: number): void {
    if (userId === null) return;
    const key = this.userPrefix + userId;
    this.prune(multi.zAdd(key, { score: expiresAt, value: sid }), key);
  }

  /** Queues PRUNE_USER_SET for one user's set. */
  private prune(multi: Multi, key: string): Multi {
    return multi.eval(PRUNE_USER_SET, { keys: [key], arguments: [String(Date.now())] });
  }

  /** Deletes the sessions and their index entries together (their users are read from the sessions first). */
  private async remove(sids: readonly string[]): Promise<void> {
    if (sids.length === 0) return;
    const keys = sids.map((sid) => this.prefix + sid);
    const stored = await this.redis.mGet(keys);
    const multi = this.redis.multi().del(keys);
    stored.forEach((raw, i) => {
      const userId = raw ? signedInUserOf(this.parse(raw)) : null;
      if (userId !== null) this.prune(multi.zRem(this.userPrefix + userId, sids[i]), this.userPrefix + userId);
    });
    await multi.exec();
  }

  private async find(userId: string): Promise<StoredSession[]> {
    const key = this.userPrefix + userId;
    const replies = await this.prune(this.redis.multi(), key).zRangeWithScores(key, 0, -1).exec();
    const members = replies[1] as unknown as { value: string; score: number }[];
    if (members.length === 0) return [];
    const stored = await this.redis.mGet(members.map((member) => this.prefix + String(member.value)));
    const found: StoredSession[] = [];
    const stale: string[] = [];
    members.forEach((member, i) => {
      const raw = stored[i];
      const data = raw ? (this.parse(raw) as SessionData | null) : null;
      if (data && signedInUserOf(data) === userId) {
        found.push({ id: String(member.value), data, expiresAt: new Date(member.score) });
      } else stale.push(String(member.value));
    });
    if (stale.length > 0) await this.prune(this.redis.multi().zRem(key, stale), key).exec();
    return found;
  }

  private parse(raw: string): unknown {
    try {
      return this.serializer.parse(raw) as unknown;
    } catch {
      return null;
    }
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
    const expiresAt = expiryOf(session);
    const ttlMs = expiresAt - Date.now();
    const remainingMs = await this.redis.pTTL(key);
    // -2: the session is gone (expired or destroyed), there is nothing to slide; -1: no TTL, set one.
    if (remainingMs !== -2 && remainingMs < ttlMs - SESSION_TOUCH_INTERVAL_MS) {
      // Its index entry moves with it (and a session written before the index existed joins it).
      const multi = this.redis.multi().pExpire(key, ttlMs);
      this.index(multi, signedInUserOf(session), sid, expiresAt);
      await multi.exec();
    }
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

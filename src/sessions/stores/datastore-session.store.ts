import { type Datastore, type Key, PropertyFilter } from '@google-cloud/datastore';
import { Logger } from '@nestjs/common';
import { type SessionData, Store } from 'express-session';
import { DATASTORE_CALL } from '../../database/datastore/datastore-client';
import { expiryOf, SESSION_PRUNE_INTERVAL_MS, SESSION_TOUCH_INTERVAL_MS } from '../session-lifetime';
import type { StoredSession, UserSessions } from '../user-sessions';
import { signedInUserOf } from './signed-in-user';

type Callback<T = void> = (error?: unknown, value?: T) => void;

const KIND = 'Session';
/** At most this many expired sessions are deleted per commit (Datastore's limit is 500 mutations). */
const PRUNE_BATCH = 500;
const MAX_PRUNE_BATCHES = 20;

/**
 * The stored entity: the session as JSON (unindexed: it can be long and is never queried), its expiry, and
 * the signed-in user's id (indexed, for UserSessions; absent for nobody signed in).
 */
interface SessionEntity {
  data: string;
  expires: Date;
  userId?: string;
}

/**
 * Carried on each session that `get` returns, so that `touch` can skip the write without reading the
 * entity again; `set` strips it. (connect-mongo's `touchAfter` works the same way with `lastModified`.)
 */
const STORED_EXPIRY = 'storedExpiry';
type Loaded = SessionData & { [STORED_EXPIRY]?: number };

/**
 * express-session store in Datastore (kind `Session`, key name = session id), on DatabaseModule's
 * client. `@google-cloud/connect-datastore` wants the previous major version of the SDK.
 * Expired sessions are ignored on read and pruned on a timer that never keeps the process alive.
 * It is also the UserSessions index: an equality query on the built-in index of `userId` (no composite
 * index needed), whose expired results are dropped; the property goes with its entity.
 */
export class DatastoreSessionStore extends Store implements UserSessions {
  private readonly logger = new Logger(DatastoreSessionStore.name);
  private readonly pruner: NodeJS.Timeout;

  constructor(private readonly datastore: Datastore) {
    super();
    this.pruner = setInterval(() => void this.prune(), SESSION_PRUNE_INTERVAL_MS).unref();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.run(callback, async () => {
      const [entity] = await this.datastore.get(this.key(sid), { gaxOptions: DATASTORE_CALL });
      const stored = entity as SessionEntity | undefined;
      if (!stored || stored.expires.getTime() <= Date.now()) return null;
      const session: Loaded = { ...(JSON.parse(stored.data) as SessionData), [STORED_EXPIRY]: stored.expires.getTime() };
      return session;
    });
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.run(callback, async () => {
      const data: Loaded = { ...session };
      delete data[STORED_EXPIRY];
      const entity: SessionEntity = { data: JSON.stringify(data), expires: new Date(expiryOf(session)) };
      const userId = signedInUserOf(session);
      if (userId !== null) entity.userId = userId;
      await this.datastore.save(this.entity(sid, entity, 'upsert'), DATASTORE_CALL);
    });
  }

  override destroy(sid: string, callback?: Callback): void {
    this.run(callback, async () => {
      await this.datastore.delete(this.key(sid), DATASTORE_CALL);
    });
  }

  /**
   * Slides the expiry, but writes only when the stored one is more than the touch interval old. A
   * session that `get` returned knows its stored expiry, so most touches cost nothing; otherwise the
   * stored one is read, in a transaction with the write, so a concurrent `set` or `destroy` is never undone.
   */
  override touch(sid: string, session: SessionData, callback?: () => void): void {
    const expires = expiryOf(session);
    const fresh = (stored: number) => expires - stored <= SESSION_TOUCH_INTERVAL_MS;
    const known = (session as Loaded)[STORED_EXPIRY];
    if (typeof known === 'number' && fresh(known)) {
      callback?.();
      return;
    }
    this.run(callback as Callback, async () => {
      const transaction = this.datastore.transaction();
      await transaction.run({ gaxOptions: DATASTORE_CALL });
      try {
        const [entity] = await transaction.get(this.key(sid), { gaxOptions: DATASTORE_CALL });
        const stored = entity as SessionEntity | undefined;
        if (!stored || fresh(stored.expires.getTime())) {
          await transaction.rollback(DATASTORE_CALL);
          return;
        }
        // The whole entity is written again, with its user (also for one saved before the index existed).
        const slid: SessionEntity = { data: stored.data, expires: new Date(expires) };
        const userId = signedInUserOf(JSON.parse(stored.data));
        if (userId !== null) slid.userId = userId;
        transaction.save(this.entity(sid, slid, 'update'));
        await transaction.commit(DATASTORE_CALL);
      } catch (error) {
        await transaction.rollback(DATASTORE_CALL).catch(() => undefined);
        throw error;
      }
    });
  }

  async sessionsOf(userId: string): Promise<StoredSession[]> {
    const query = this.datastore.createQuery(KIND).filter(new PropertyFilter('userId', '=', userId));
    const [entities] = await this.datastore.runQuery(query, { gaxOptions: DATASTORE_CALL });
    const now = Date.now();
    return (entities as (SessionEntity & { [key: symbol]: Key })[])
      .filter((entity) => entity.expires.getTime() > now)
      .map((entity) => ({
        id: entity[this.datastore.KEY].name!,
        data: JSON.parse(entity.data) as SessionData,
        expiresAt: entity.expires,
      }));
  }

  async end(sessionIds: readonly string[]): Promise<void> {
    for (let i = 0; i < sessionIds.length; i += PRUNE_BATCH) {
      await this.datastore.delete(
        sessionIds.slice(i, i + PRUNE_BATCH).map((sid) => this.key(sid)),
        DATASTORE_CALL,
      );
    }
  }

  /** Deletes expired sessions, a batch at a time (a keys-only query on the built-in `expires` index). */
  async prune(now = Date.now()): Promise<void> {
    try {
      for (let batch = 0; batch < MAX_PRUNE_BATCHES; batch++) {
        const query = this.datastore
          .createQuery(KIND)
          .select('__key__')
          .filter(new PropertyFilter('expires', '<=', new Date(now)))
          .limit(PRUNE_BATCH);
        const [expired] = await this.datastore.runQuery(query, { gaxOptions: DATASTORE_CALL });
        if (expired.length > 0)
          await this.datastore.delete(
            expired.map((e) => e[this.datastore.KEY] as Key),
            DATASTORE_CALL,
          );
        if (expired.length < PRUNE_BATCH) return;
      }
    } catch (error) {
      this.logger.warn(`Could not prune sessions: ${String(error)}`);
    }
  }

  close(): void {
    clearInterval(this.pruner);
  }

  private key(sid: string): Key {
    return this.datastore.key([KIND, sid]);
  }

  private entity(sid: string, data: SessionEntity, method: 'upsert' | 'update') {
    return { key: this.key(sid), data, method, excludeFromIndexes: ['data'] };
  }

  private run<T>(callback: Callback<T> | undefined, work: () => Promise<T>): void {
    work().then(
      (value) => callback?.(null, value),
      (error: unknown) => callback?.(error),
    );
  }
}

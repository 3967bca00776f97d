import MongoStore from 'connect-mongo';
import type { SessionData } from 'express-session';
import type { Connection } from 'mongoose';
import { QUERY_TIMEOUT_MS } from '../../database/backend-limits';
import { expiryOf, SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../session-lifetime';
import type { StoredSession, UserSessions } from '../user-sessions';
import { signedInUserOf } from './signed-in-user';

const COLLECTION = 'sessions';

/**
 * A document of the collection: connect-mongo's (`session` is the session as JSON, its `stringify`
 * default), plus the signed-in user's id, which this store adds for UserSessions.
 */
interface SessionDocument {
  _id: string;
  session: string;
  expires: Date;
  userId?: string;
}

/** The part of the driver's collection used here (connect-mongo's `collectionP`, typed for our documents). */
interface SessionsCollection {
  updateOne(filter: object, update: object, options?: { upsert?: boolean }): Promise<unknown>;
  deleteMany(filter: object): Promise<unknown>;
  find(filter: object, options?: { maxTimeMS?: number }): { toArray(): Promise<SessionDocument[]> };
}

/**
 * connect-mongo is typed against its own copy of the MongoDB driver; mongoose's client is another
 * version of the same class, with the same `db().collection()` that connect-mongo uses.
 */
type ConnectMongoClient = NonNullable<ConstructorParameters<typeof MongoStore>[0]['client']>;

/**
 * connect-mongo, with a `touch` like the other stores', a client it does not own, and the UserSessions
 * index: each document carries its signed-in user's id as a field of its own, `userId`, with an index.
 * (A query into the stringified `session` could use no index; storing sessions unstringified would make
 * the sessions written before unreadable, and MongoDB refuses keys with `.` or `$`.)
 */
class BooksDatabaseMongoStore extends MongoStore implements UserSessions {
  private get sessions(): Promise<SessionsCollection> {
    return this.collectionP as unknown as Promise<SessionsCollection>;
  }

  /**
   * connect-mongo's upsert, as one update that also sets (or removes) `userId`, so that the session and
   * its index entry are written together. Same fields and format as connect-mongo's own `set`, whose `get`
   * reads them.
   */
  override set(sid: string, session: SessionData, callback?: (error?: unknown) => void): void {
    const fields = { session: JSON.stringify(session), expires: new Date(expiryOf(session)) };
    const userId = signedInUserOf(session);
    const update = userId !== null ? { $set: { ...fields, userId } } : { $set: fields, $unset: { userId: '' } };
    this.sessions
      .then((sessions) => sessions.updateOne({ _id: sid }, update, { upsert: true }))
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  /**
   * Slides the expiry, but writes only when the stored one is more than the touch interval old: one
   * conditional update, which never recreates a destroyed session. (connect-mongo's `touchAfter`
   * needs a `lastModified` field in the session, and writes whenever it is missing.) It sets `userId` too
   * (the session is unchanged when touched), so a session saved before the index existed joins it.
   */
  override touch(sid: string, session: SessionData, callback?: (error?: unknown) => void): void {
    const expires = expiryOf(session);
    const userId = signedInUserOf(session);
    this.sessions
      .then((sessions) =>
        sessions.updateOne(
          { _id: sid, expires: { $lt: new Date(expires - SESSION_TOUCH_INTERVAL_MS) } },
          { $set: userId !== null ? { expires: new Date(expires), userId } : { expires: new Date(expires) } },
        ),
      )
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  async sessionsOf(userId: string): Promise<StoredSession[]> {
    const sessions = await this.sessions;
    // The server gives up with the query budget, as on every mongoose query (the socket timeout bounds the rest).
    const found = await sessions.find({ userId, expires: { $gt: new Date() } }, { maxTimeMS: QUERY_TIMEOUT_MS }).toArray();
    return found.map((doc) => ({ id: doc._id, data: JSON.parse(doc.session) as SessionData, expiresAt: doc.expires }));
  }

  async end(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const sessions = await this.sessions;
    await sessions.deleteMany({ _id: { $in: [...sessionIds] } });
  }

  /** connect-mongo's close() closes its client: this one is the books connection's, closed at shutdown. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Sessions in the MongoDB database (collection `sessions`), over DatabaseModule's connection.
 * MongoDB deletes expired sessions itself through a TTL index; until it does, connect-mongo ignores
 * them on read (and so does `sessionsOf`). The index is created here and awaited: connect-mongo's own
 * (`autoRemove: 'native'`) is created in the background, and its failure would be an unhandled rejection.
 */
export async function createMongoSessionStore(connection: Connection): Promise<MongoStore & UserSessions> {
  const db = connection.db;
  if (!db) throw new Error('The MongoDB connection is not open');
  await db.collection(COLLECTION).createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
  // UserSessions: one person's sessions (the expired among them are filtered after the index lookup).
  // Sparse: sessions of nobody signed in have no `userId` and stay out of it.
  await db.collection(COLLECTION).createIndex({ userId: 1 }, { sparse: true });
  return new BooksDatabaseMongoStore({
    client: connection.getClient() as unknown as ConnectMongoClient,
    dbName: db.databaseName,
    collectionName: COLLECTION,
    // Only for a session without a cookie expiry; ours always have one.
    ttl: SESSION_TTL_MS / 1000,
    autoRemove: 'disabled',
  });
}

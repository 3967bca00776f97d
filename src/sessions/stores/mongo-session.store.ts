import MongoStore from 'connect-mongo';
import type { SessionData } from 'express-session';
import type { Connection } from 'mongoose';
import { expiryOf, SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../session-lifetime';

const COLLECTION = 'sessions';

/**
 * connect-mongo is typed against its own copy of the MongoDB driver; mongoose's client is another
 * version of the same class, with the same `db().collection()` that connect-mongo uses.
 */
type ConnectMongoClient = NonNullable<ConstructorParameters<typeof MongoStore>[0]['client']>;

/** connect-mongo, with a `touch` like the other stores' and a client it does not own. */
class BooksDatabaseMongoStore extends MongoStore {
  /**
   * Slides the expiry, but writes only when the stored one is more than the touch interval old: one
   * conditional update, which never recreates a destroyed session. (connect-mongo's `touchAfter`
   * needs a `lastModified` field in the session, and writes whenever it is missing.)
   */
  override touch(sid: string, session: SessionData, callback?: (error?: unknown) => void): void {
    const expires = expiryOf(session);
    this.collectionP
      .then((sessions) =>
        sessions.updateOne(
          { _id: sid, expires: { $lt: new Date(expires - SESSION_TOUCH_INTERVAL_MS) } },
          { $set: { expires: new Date(expires) } },
        ),
      )
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  /** connect-mongo's close() closes its client: this one is the books connection's, closed at shutdown. */
  override close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Sessions in the MongoDB database (collection `sessions`), over DatabaseModule's connection.
 * MongoDB deletes expired sessions itself through a TTL index; until it does, connect-mongo ignores
 * them on read. The index is created here and awaited: connect-mongo's own (`autoRemove: 'native'`)
 * is created in the background, and its failure would be an unhandled rejection.
 */
export async function createMongoSessionStore(connection: Connection): Promise<MongoStore> {
  const db = connection.db;
  if (!db) throw new Error('The MongoDB connection is not open');
  await db.collection(COLLECTION).createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
  return new BooksDatabaseMongoStore({
    client: connection.getClient() as unknown as ConnectMongoClient,
    dbName: db.databaseName,
    collectionName: COLLECTION,
    // Only for a session without a cookie expiry; ours always have one.
    ttl: SESSION_TTL_MS / 1000,
    autoRemove: 'disabled',
  });
}

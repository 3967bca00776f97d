import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Store } from 'express-session';
import type { Connection } from 'mongoose';
import { MONGO_CONNECTION } from '../../src/database/database-clients';
import { FEATURE_STORAGE } from '../../src/app.module';
import { DatabaseModule } from '../../src/database/database.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { expiryOf } from '../../src/sessions/session-lifetime';
import { SessionsModule } from '../../src/sessions/sessions.module';
import { UserSessions } from '../../src/sessions/user-sessions';
import { describeWhen } from '../helpers/backends';
import { startTestMongo, testMongoUnavailable, type TestMongo } from '../helpers/jongodb';
import { describeSessionStoreContract } from './session-store.contract';

/** The books backend and the session store, chosen from config as the app chooses them. */
async function openMongoSessions(url: string): Promise<INestApplicationContext> {
  const config = loadConfig({ DATA_BACKEND: 'mongodb', MONGODB_URL: url });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config, FEATURE_STORAGE), SessionsModule.forRoot(config)],
  }).compile();
  return moduleRef.init();
}

describeWhen(testMongoUnavailable())('MongoDB sessions', () => {
  // connect-mongo, whose class name is not ours to pick.
  describeSessionStoreContract(`MongoStore (connect-mongo) on ${process.env.MONGODB_URL ? 'MongoDB' : 'jongodb'}`, async () => {
    const server = await startTestMongo();
    // Two app contexts over one database: two instances.
    const [app, otherApp] = [await openMongoSessions(server.url), await openMongoSessions(server.url)];
    const sessions = app
      .get<Connection>(MONGO_CONNECTION)
      .db!.collection<{ _id: string; session: string; expires: Date; userId?: string }>('sessions');
    return {
      store: app.get(Store),
      userSessions: app.get(UserSessions),
      other: { store: otherApp.get(Store), userSessions: otherApp.get(UserSessions) },
      storedExpiry: async (sid) => (await sessions.findOne({ _id: sid }))?.expires.getTime() ?? null,
      // connect-mongo's own document: the session as JSON, and its expiry.
      writeUnindexed: async (sid, session) =>
        void (await sessions.insertOne({ _id: sid, session: JSON.stringify(session), expires: new Date(expiryOf(session)) })),
      indexedSessions: async (userId) => (await sessions.find({ userId }).toArray()).map((doc) => doc._id),
      // What MongoDB's TTL monitor does (once a minute, on its own), here at once; the index is checked below.
      removeExpired: async () => void (await sessions.deleteMany({ expires: { $lte: new Date() } })),
      close: async () => {
        // Closes the store, then the connection it shares with the books.
        await Promise.all([app.close(), otherApp.close()]);
        await server.stop();
      },
    };
  });

  describe('expiry', () => {
    let server: TestMongo;
    let app: INestApplicationContext;

    beforeAll(async () => {
      server = await startTestMongo();
      app = await openMongoSessions(server.url);
    });

    afterAll(async () => {
      await app?.close();
      await server?.stop();
    });

    it('has MongoDB remove expired sessions through a TTL index', async () => {
      const sessions = app.get<Connection>(MONGO_CONNECTION).db!.collection('sessions');
      const indexes = await sessions.listIndexes().toArray();
      expect(indexes).toEqual(expect.arrayContaining([expect.objectContaining({ key: { expires: 1 }, expireAfterSeconds: 0 })]));
    });

    it('finds sessions by user through an index on userId, and provides the store itself as UserSessions', async () => {
      const sessions = app.get<Connection>(MONGO_CONNECTION).db!.collection('sessions');
      const indexes = await sessions.listIndexes().toArray();
      expect(indexes).toEqual(expect.arrayContaining([expect.objectContaining({ key: { userId: 1 }, sparse: true })]));
      expect(app.get(UserSessions)).toBe(app.get(Store));
    });
  });
});

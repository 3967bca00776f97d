import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Store } from 'express-session';
import type { Connection } from 'mongoose';
import { MONGO_CONNECTION } from '../../src/database/database-clients';
import { FEATURE_STORAGE } from '../../src/app.module';
import { DatabaseModule } from '../../src/database/database.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { SessionsModule } from '../../src/sessions/sessions.module';
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
    const app = await openMongoSessions(server.url);
    const sessions = app.get<Connection>(MONGO_CONNECTION).db!.collection<{ _id: string; expires: Date }>('sessions');
    return {
      store: app.get(Store),
      storedExpiry: async (sid) => (await sessions.findOne({ _id: sid }))?.expires.getTime() ?? null,
      // What MongoDB's TTL monitor does (once a minute, on its own), here at once; the index is checked below.
      removeExpired: async () => void (await sessions.deleteMany({ expires: { $lte: new Date() } })),
      close: async () => {
        // Closes the store, then the connection it shares with the books.
        await app.close();
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
  });
});

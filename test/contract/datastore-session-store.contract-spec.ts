import { type Datastore, type Key, PropertyFilter } from '@google-cloud/datastore';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Store } from 'express-session';
import { DATASTORE_CLIENT } from '../../src/database/database-clients';
import { FEATURE_STORAGE } from '../../src/app.module';
import { DatabaseModule } from '../../src/database/database.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { DatastoreSessionStore } from '../../src/sessions/stores/datastore-session.store';
import { expiryOf } from '../../src/sessions/session-lifetime';
import { SessionsModule } from '../../src/sessions/sessions.module';
import { UserSessions } from '../../src/sessions/user-sessions';
import { describeWhen } from '../helpers/backends';
import { datastoreEmulatorUnavailable, startDatastoreEmulator } from '../helpers/datastore-emulator';
import { describeSessionStoreContract } from './session-store.contract';

// The client probes the cloud metadata server unless told not to (docs/testing.md).
process.env.METADATA_SERVER_DETECTION = 'none';

// Optional even in CI: some machine images cannot install the emulators (docs/testing.md).
describeWhen(datastoreEmulatorUnavailable(), { optionalInCi: true })('Datastore sessions', () => {
  describeSessionStoreContract(`${DatastoreSessionStore.name} on the emulator`, async () => {
    const emulator = await startDatastoreEmulator();
    if (!emulator) throw new Error('The Datastore emulator did not start');
    // The client reads DATASTORE_EMULATOR_HOST itself.
    process.env.DATASTORE_EMULATOR_HOST = emulator.host;
    const config = loadConfig({ DATA_BACKEND: 'datastore', GOOGLE_CLOUD_PROJECT: emulator.projectId });
    // Two app contexts over one emulator: two instances, each with its own client.
    const open = async (): Promise<INestApplicationContext> => {
      const moduleRef = await Test.createTestingModule({
        imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config, FEATURE_STORAGE), SessionsModule.forRoot(config)],
      }).compile();
      return moduleRef.init();
    };
    const [app, otherApp] = [await open(), await open()];
    const store = app.get(Store) as DatastoreSessionStore;
    const datastore = app.get<Datastore>(DATASTORE_CLIENT);
    return {
      store,
      userSessions: app.get(UserSessions),
      other: { store: otherApp.get(Store), userSessions: otherApp.get(UserSessions) },
      writeUnindexed: async (sid, session) =>
        void (await datastore.save({
          key: datastore.key(['Session', sid]),
          data: { data: JSON.stringify(session), expires: new Date(expiryOf(session)) },
          excludeFromIndexes: ['data'],
        })),
      indexedSessions: async (userId) => {
        const [entities] = await datastore.runQuery(
          datastore
            .createQuery('Session')
            .select('__key__')
            .filter(new PropertyFilter('userId', '=', userId)),
        );
        return entities.map((entity) => (entity[datastore.KEY] as Key).name!);
      },
      storedExpiry: async (sid) => {
        const [entity] = await datastore.get(datastore.key(['Session', sid]));
        return entity ? (entity.expires as Date).getTime() : null;
      },
      removeExpired: () => store.prune(),
      close: async () => {
        await Promise.all([app.close(), otherApp.close()]);
        await emulator.stop();
      },
    };
  });
});

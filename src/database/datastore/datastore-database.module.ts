import type { Datastore } from '@google-cloud/datastore';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { DATASTORE_CLIENT } from '../database-clients';
import { DatabaseHealth } from '../database-health';
import { closeDatastore, createDatastore, DATASTORE_CALL } from './datastore-client';

/** Answers while the service does; a lookup of a key that is never stored is the cheapest request. */
async function ping(datastore: Datastore): Promise<void> {
  await datastore.get(datastore.key(['Health', 'ping']), { gaxOptions: DATASTORE_CALL });
}

/**
 * Firestore in Datastore mode (`GOOGLE_CLOUD_PROJECT`; `DATASTORE_EMULATOR_HOST` for the emulator): one
 * client for every feature, exported as DATASTORE_CLIENT, closed at shutdown. Kinds need no creating;
 * the composite indexes that features' queries need are in index.yaml (`gcloud datastore indexes create`).
 */
@Module({
  providers: [
    { provide: DATASTORE_CLIENT, inject: [AppConfig], useFactory: (config: AppConfig) => createDatastore(config.googleCloudProject) },
    {
      provide: DatabaseHealth,
      inject: [DATASTORE_CLIENT],
      useFactory: (datastore: Datastore): DatabaseHealth => ({ check: () => ping(datastore) }),
    },
  ],
  exports: [DATASTORE_CLIENT, DatabaseHealth],
})
export class DatastoreDatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATASTORE_CLIENT) private readonly datastore: Datastore) {}

  async onApplicationShutdown(): Promise<void> {
    await closeDatastore(this.datastore);
  }
}

import type { Datastore } from '@google-cloud/datastore';
import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DatabaseHealth } from '../../../common/database-health';
import { AppConfig } from '../../../config/app-config';
import { BooksRepository } from '../../books.repository';
import { DATASTORE_CLIENT } from '../backend-clients';
import { closeDatastore, createDatastore, DATASTORE_CALL } from './datastore-client';
import { DatastoreBooksRepository } from './datastore-books.repository';

/** Answers while the service does; a lookup of a key that is never stored is the cheapest request. */
async function ping(datastore: Datastore): Promise<void> {
  await datastore.get(datastore.key(['Health', 'ping']), { gaxOptions: DATASTORE_CALL });
}

/**
 * Books in Firestore in Datastore mode (`GOOGLE_CLOUD_PROJECT`; `DATASTORE_EMULATOR_HOST` for the
 * emulator). One client, exported as DATASTORE_CLIENT for the session store, closed at shutdown.
 * The composite index that one owner's list needs is in index.yaml (`gcloud datastore indexes create`).
 */
@Module({
  providers: [
    { provide: DATASTORE_CLIENT, inject: [AppConfig], useFactory: (config: AppConfig) => createDatastore(config.googleCloudProject) },
    { provide: BooksRepository, useClass: DatastoreBooksRepository },
    {
      provide: DatabaseHealth,
      inject: [DATASTORE_CLIENT],
      useFactory: (datastore: Datastore): DatabaseHealth => ({ check: () => ping(datastore) }),
    },
  ],
  exports: [DATASTORE_CLIENT, BooksRepository, DatabaseHealth],
})
export class DatastoreBooksModule implements OnApplicationShutdown {
  constructor(@Inject(DATASTORE_CLIENT) private readonly datastore: Datastore) {}

  async onApplicationShutdown(): Promise<void> {
    await closeDatastore(this.datastore);
  }
}

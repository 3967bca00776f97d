import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig, DataBackend } from '../config/app-config';
import type { FeatureStorage } from './feature-storage';
import { SqlDatabaseModule } from './sql/sql-database.module';

/**
 * The one place the data backend's connection is chosen and opened, from validated config. Global:
 * features' adapters inject its client (`SqlDatabase`, MONGO_CONNECTION or DATASTORE_CLIENT, and the
 * models of MongooseModule) and `DatabaseHealth`; features register what they store in `features`.
 */
const connections: Record<DataBackend, (features: readonly FeatureStorage[]) => DynamicModule> = {
  sql: (features) => SqlDatabaseModule.forRoot(features),
  // Loaded only when chosen: mongoose and the Datastore SDK each take about a second to load.
  mongodb: (features) =>
    (require('./mongo/mongo-database.module') as typeof import('./mongo/mongo-database.module')).MongoDatabaseModule.forRoot(features),
  datastore: () => ({
    module: (require('./datastore/datastore-database.module') as typeof import('./datastore/datastore-database.module'))
      .DatastoreDatabaseModule,
  }),
};

@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig, features: readonly FeatureStorage[]): DynamicModule {
    const connection = connections[config.dataBackend](features);
    return { module: DatabaseModule, global: true, imports: [connection], exports: [connection] };
  }
}

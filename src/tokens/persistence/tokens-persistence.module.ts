import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { AppConfig, DataBackend } from '../../config/app-config';
import { SqlTokensModule } from './sql/sql-tokens.module';

/** The one place the tokens adapter is chosen; each module exports TokensRepository over DatabaseModule's client. */
const backends: Record<DataBackend, () => Type> = {
  sql: () => SqlTokensModule,
  // Loaded only when chosen, as books does.
  mongodb: () => (require('./mongo/mongo-tokens.module') as typeof import('./mongo/mongo-tokens.module')).MongoTokensModule,
  datastore: () =>
    (require('./datastore/datastore-tokens.module') as typeof import('./datastore/datastore-tokens.module')).DatastoreTokensModule,
};

@Module({})
export class TokensPersistenceModule {
  static forRoot(config: AppConfig): DynamicModule {
    const backend = backends[config.dataBackend]();
    return { module: TokensPersistenceModule, imports: [backend], exports: [backend] };
  }
}

import type { FeatureStorage } from '../../database/feature-storage';
import { tokensMigrations } from './sql/sql-tokens.migrations';

/** What the tokens feature stores, registered with DatabaseModule in app.module.ts. */
export const TOKENS_STORAGE: FeatureStorage = {
  feature: 'tokens',
  sqlMigrations: tokensMigrations,
  mongoModels: () => {
    const { AccessTokenSchema, MongoAccessToken } = require('./mongo/access-token.schema') as typeof import('./mongo/access-token.schema');
    return [{ name: MongoAccessToken.name, schema: AccessTokenSchema }];
  },
  datastoreKinds: ['AccessToken'],
};

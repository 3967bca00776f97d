import type { Datastore } from '@google-cloud/datastore';
import type { Provider } from '@nestjs/common';
import { Store } from 'express-session';
import type { Connection } from 'mongoose';
import { AppConfig, type DataBackend, type SessionStoreKind } from '../../config/app-config';
import { DATASTORE_CLIENT, MONGO_CONNECTION } from '../../database/database-clients';
import type { FeatureStorage } from '../../database/feature-storage';
import { SqlDatabase } from '../../database/sql/sql-database';
import type { UserSessions } from '../user-sessions';
import { SqlSessionStore } from './sql-session.store';
import { sessionsMigrations } from './sql-sessions.migrations';

export type StoreChoice = Exclude<SessionStoreKind, 'auto'> | DataBackend;

/** Every store is its own index by user: the object provided as `Store` is provided as `UserSessions` too. */
type IndexedStore = Store & UserSessions;

/** What the session stores keep in the data backend (the SQL `sessions` table), registered in app.module.ts. */
export const SESSIONS_STORAGE: FeatureStorage = {
  feature: 'sessions',
  sqlMigrations: sessionsMigrations,
  // connect-mongo keeps its own `sessions` collection (with its TTL index); Datastore its `Session` kind.
  datastoreKinds: ['Session'],
};

/**
 * Where sessions live: the data backend's own database (`auto`), or Redis. Every store also implements
 * UserSessions (SessionsModule provides it as the same object).
 */
export const SESSION_STORES: Record<StoreChoice, Provider> = {
  sql: { provide: Store, inject: [SqlDatabase], useFactory: (db: SqlDatabase): IndexedStore => new SqlSessionStore(db) },
  // These use DatabaseModule's client, and load their SDKs only when chosen.
  mongodb: {
    provide: Store,
    inject: [MONGO_CONNECTION],
    useFactory: (connection: Connection): Promise<IndexedStore> =>
      (require('./mongo-session.store') as typeof import('./mongo-session.store')).createMongoSessionStore(connection),
  },
  datastore: {
    provide: Store,
    inject: [DATASTORE_CLIENT],
    useFactory: (datastore: Datastore): IndexedStore =>
      new (require('./datastore-session.store') as typeof import('./datastore-session.store')).DatastoreSessionStore(datastore),
  },
  // Loads the Redis client only when chosen; REDIS_URL is required by config validation.
  redis: {
    provide: Store,
    inject: [AppConfig],
    useFactory: (config: AppConfig): IndexedStore =>
      (require('./redis-session.store') as typeof import('./redis-session.store')).RedisSessionStore.connect(config.redisUrl!),
  },
};

import { type DynamicModule, Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Store } from 'express-session';
import { AppConfig, type DataBackend, type SessionStoreKind } from '../config/app-config';
import type { Datastore } from '@google-cloud/datastore';
import type { Connection } from 'mongoose';
import { DATASTORE_CLIENT, MONGO_CONNECTION } from '../books/persistence/backend-clients';
import { SqlDatabase } from '../books/persistence/sql/sql-database';
import { SqlSessionStore } from './sql-session.store';

type StoreChoice = Exclude<SessionStoreKind, 'auto'> | DataBackend;

/** Where sessions live: the data backend's own database (`auto`), or Redis. */
const stores: Record<StoreChoice, Provider> = {
  sql: { provide: Store, inject: [SqlDatabase], useFactory: (db: SqlDatabase) => new SqlSessionStore(db) },
  // These share the books module's client, and load their SDKs only when chosen.
  mongodb: {
    provide: Store,
    inject: [MONGO_CONNECTION],
    useFactory: (connection: Connection) =>
      (require('./mongo-session.store') as typeof import('./mongo-session.store')).createMongoSessionStore(connection),
  },
  datastore: {
    provide: Store,
    inject: [DATASTORE_CLIENT],
    useFactory: (datastore: Datastore) =>
      new (require('./datastore-session.store') as typeof import('./datastore-session.store')).DatastoreSessionStore(datastore),
  },
  // Loads the Redis client only when chosen; REDIS_URL is required by config validation.
  redis: {
    provide: Store,
    inject: [AppConfig],
    useFactory: (config: AppConfig) =>
      (require('./redis-session.store') as typeof import('./redis-session.store')).RedisSessionStore.connect(config.redisUrl!),
  },
};

/** Provides the express-session `Store` (the class is the DI token) that `configureApp` mounts. */
@Module({})
export class SessionsModule implements OnApplicationShutdown {
  constructor(@Inject(Store) private readonly store: Store & { close?: () => unknown }) {}

  static forRoot(config: AppConfig): DynamicModule {
    const choice: StoreChoice = config.sessionStore === 'auto' ? config.dataBackend : config.sessionStore;
    return { module: SessionsModule, providers: [stores[choice]], exports: [Store] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}

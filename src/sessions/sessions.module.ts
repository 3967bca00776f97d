import { type DynamicModule, Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { Store } from 'express-session';
import type { AppConfig, DataBackend, SessionStoreKind } from '../config/app-config';
import { SqlDatabase } from '../books/persistence/sql/sql-database';
import { SqlSessionStore } from './sql-session.store';

type StoreChoice = Exclude<SessionStoreKind, 'auto'> | DataBackend;

/** Where sessions live: the data backend's own database (`auto`), or Redis. */
const stores: Record<StoreChoice, Provider> = {
  sql: { provide: Store, inject: [SqlDatabase], useFactory: (db: SqlDatabase) => new SqlSessionStore(db) },
  mongodb: {
    provide: Store,
    useFactory: () => {
      throw new Error('MongoDB sessions are not available yet');
    },
  },
  datastore: {
    provide: Store,
    useFactory: () => {
      throw new Error('Datastore sessions are not available yet');
    },
  },
  redis: {
    provide: Store,
    useFactory: () => {
      throw new Error('Redis sessions are not available yet');
    },
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

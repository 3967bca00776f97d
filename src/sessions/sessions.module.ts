import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Store } from 'express-session';
import type { AppConfig } from '../config/app-config';
import { SESSION_STORES, type StoreChoice } from './stores/session-stores';

/** Provides the express-session `Store` (the class is the DI token) that `configureApp` mounts. */
@Module({})
export class SessionsModule implements OnApplicationShutdown {
  constructor(@Inject(Store) private readonly store: Store & { close?: () => unknown }) {}

  static forRoot(config: AppConfig): DynamicModule {
    const choice: StoreChoice = config.sessionStore === 'auto' ? config.dataBackend : config.sessionStore;
    return { module: SessionsModule, providers: [SESSION_STORES[choice]], exports: [Store] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}

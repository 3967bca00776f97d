import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Store } from 'express-session';
import type { AppConfig } from '../config/app-config';
import { SESSION_STORES, type StoreChoice } from './stores/session-stores';
import { UserSessions } from './user-sessions';

/**
 * Provides the express-session `Store` (the class is the DI token) that `configureApp` mounts, and
 * `UserSessions`, which is the same object: every store keeps its own index by user.
 */
@Module({})
export class SessionsModule implements OnApplicationShutdown {
  constructor(@Inject(Store) private readonly store: Store & { close?: () => unknown }) {}

  static forRoot(config: AppConfig): DynamicModule {
    const choice: StoreChoice = config.sessionStore === 'auto' ? config.dataBackend : config.sessionStore;
    return {
      module: SessionsModule,
      // Global: the account pages (and any feature) find the sessions of a person through UserSessions.
      global: true,
      providers: [SESSION_STORES[choice], { provide: UserSessions, useExisting: Store }],
      exports: [Store, UserSessions],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close?.();
  }
}

import { type DynamicModule, Inject, Logger, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { MONGO_CONNECTION } from '../database/database-clients';
import { type SqlEngine, sqlEngineOf } from '../database/sql/sql-database';
import { AppConfig, type DataBackend } from '../config/app-config';
import { FlexibleRateLimiter, NoRateLimiter } from './flexible-rate-limiter';
import { type LimiterStore, memoryStore, mongoStore, mysqlStore, postgresStore, redisStore, sqliteStore } from './stores/rate-limit-stores';
import { RateLimiter } from './rate-limiter';

type StoreChoice = 'redis' | SqlEngine | Exclude<DataBackend, 'sql'>;

const logger = new Logger('RateLimits');

/** Where counters live, so that every instance shares them: Redis when configured, else the data backend's database. */
const stores: Record<
  StoreChoice,
  { inject: (string | typeof AppConfig)[]; store: (config: AppConfig, ...clients: never[]) => LimiterStore | Promise<LimiterStore> }
> = {
  redis: { inject: [AppConfig], store: (config) => redisStore(config.redisUrl!) },
  sqlite: {
    inject: [AppConfig],
    store: (config) => {
      const file = config.sqlUrl.slice('sqlite:'.length);
      // A private in-memory database cannot be shared with a second connection.
      return file === ':memory:' ? memoryStore() : sqliteStore(file);
    },
  },
  postgres: { inject: [AppConfig], store: (config) => postgresStore(config.sqlUrl, logger) },
  mysql: { inject: [AppConfig], store: (config) => mysqlStore(config.sqlUrl, logger) },
  mongodb: {
    inject: [AppConfig, MONGO_CONNECTION],
    store: (_config, connection: Parameters<typeof mongoStore>[0]) => mongoStore(connection),
  },
  // No limiter of rate-limiter-flexible counts in Datastore: per instance, unless REDIS_URL is set.
  datastore: {
    inject: [AppConfig],
    store: () => {
      logger.warn('Rate limits are counted per instance on Datastore; set REDIS_URL to share them between instances');
      return memoryStore();
    },
  },
};

function storeChoice(config: AppConfig): StoreChoice {
  if (config.redisUrl) return 'redis';
  return config.dataBackend === 'sql' ? sqlEngineOf(config.sqlUrl) : config.dataBackend;
}

/** Provides the `RateLimiter` port (the class is the DI token) that `RateLimitGuard` consults. */
@Module({})
export class RateLimitsModule implements OnApplicationShutdown {
  constructor(@Inject(RateLimiter) private readonly limiter: RateLimiter & { close?: () => Promise<void> }) {}

  static forRoot(config: AppConfig): DynamicModule {
    let provider: Provider;
    if (!config.rateLimits) {
      provider = {
        provide: RateLimiter,
        useFactory: () => {
          logger.warn('RATE_LIMITS=off: sign-in, writes and uploads are not rate limited');
          return new NoRateLimiter();
        },
      };
    } else {
      const budgets = config.rateLimits;
      const { inject, store } = stores[storeChoice(config)];
      provider = {
        provide: RateLimiter,
        inject,
        useFactory: async (appConfig: AppConfig, ...clients: never[]) => {
          const chosen = await store(appConfig, ...clients);
          return new FlexibleRateLimiter(budgets, chosen.limiter, chosen.close);
        },
      };
    }
    return { module: RateLimitsModule, global: true, providers: [provider], exports: [RateLimiter] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.limiter.close?.();
  }
}

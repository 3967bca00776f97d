import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccountModule } from './account/account.module';
import { ApiModule } from './api/api.module';
import { AuthModule } from './auth/auth.module';
import { BooksModule } from './books/books.module';
import { BOOKS_STORAGE } from './books/persistence/books-storage';
import { BooksPersistenceModule } from './books/persistence/books-persistence.module';
import { CsrfGuard } from './common/csrf';
import { DomainErrorFilter } from './common/domain-error.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import type { FeatureStorage } from './database/feature-storage';
import { HealthController } from './health/health.controller';
import { LoggingModule } from './logging/logging.module';
import { RateLimitGuard } from './rate-limits/rate-limit.guard';
import { RateLimitsModule } from './rate-limits/rate-limits.module';
import { RATE_LIMITS_STORAGE } from './rate-limits/stores/rate-limit-stores';
import { SessionsModule } from './sessions/sessions.module';
import { SESSIONS_STORAGE } from './sessions/stores/session-stores';
import { StorageModule } from './storage/storage.module';
import { TOKENS_STORAGE } from './tokens/persistence/tokens-storage';
import { TokensModule } from './tokens/tokens.module';

/** What every feature keeps in the data backend: DatabaseModule runs their migrations and builds their indexes. */
export const FEATURE_STORAGE: readonly FeatureStorage[] = [BOOKS_STORAGE, SESSIONS_STORAGE, RATE_LIMITS_STORAGE, TOKENS_STORAGE];

/** The application, with every adapter chosen once from the validated config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DatabaseModule.forRoot(config, FEATURE_STORAGE),
        BooksPersistenceModule.forRoot(config),
        { ...StorageModule.forRoot(config), global: true },
        SessionsModule.forRoot(config),
        RateLimitsModule.forRoot(config),
        AuthModule,
        BooksModule,
        AccountModule,
        TokensModule.forRoot(config),
        ApiModule,
      ],
      controllers: [HealthController],
      providers: [
        // In this order: a request without a valid token never spends anyone's rate limit.
        { provide: APP_GUARD, useClass: CsrfGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_FILTER, useClass: DomainErrorFilter },
      ],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthModule } from './auth/auth.module';
import { DataBackendModule } from './books/persistence/data-backend.module';
import { BooksModule } from './books/books.module';
import { CsrfGuard } from './common/csrf';
import { DomainErrorFilter } from './common/domain-error.filter';
import type { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthController } from './health/health.controller';
import { LoggingModule } from './logging/logging.module';
import { RateLimitGuard } from './rate-limits/rate-limit.guard';
import { RateLimitsModule } from './rate-limits/rate-limits.module';
import { SessionsModule } from './sessions/sessions.module';
import { StorageModule } from './storage/storage.module';

/** The application, with every adapter chosen once from the validated config. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config),
        DataBackendModule.forRoot(config),
        { ...StorageModule.forRoot(config), global: true },
        SessionsModule.forRoot(config),
        RateLimitsModule.forRoot(config),
        AuthModule,
        BooksModule,
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

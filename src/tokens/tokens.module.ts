import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { TokensPersistenceModule } from './persistence/tokens-persistence.module';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/**
 * Personal access tokens for the JSON API: the `/account/tokens` pages and `TokensService`
 * (`authenticate` for the API's guard, `deleteAllOf(userId)` for deleting an account).
 */
@Module({})
export class TokensModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: TokensModule,
      global: true,
      imports: [TokensPersistenceModule.forRoot(config)],
      controllers: [TokensController],
      providers: [TokensService],
      exports: [TokensService],
    };
  }
}

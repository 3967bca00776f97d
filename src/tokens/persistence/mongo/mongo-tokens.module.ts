import { Module } from '@nestjs/common';
import { TokensRepository } from '../../tokens.repository';
import { MongoTokensRepository } from './mongo-tokens.repository';

/** Tokens in the `access_tokens` collection; its model and indexes are registered through tokens-storage.ts. */
@Module({
  providers: [{ provide: TokensRepository, useClass: MongoTokensRepository }],
  exports: [TokensRepository],
})
export class MongoTokensModule {}

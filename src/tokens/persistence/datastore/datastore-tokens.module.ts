import { Module } from '@nestjs/common';
import { TokensRepository } from '../../tokens.repository';
import { DatastoreTokensRepository } from './datastore-tokens.repository';

/** Tokens as `AccessToken` entities keyed by their hash; one owner's are found with the built-in `userId` index. */
@Module({
  providers: [{ provide: TokensRepository, useClass: DatastoreTokensRepository }],
  exports: [TokensRepository],
})
export class DatastoreTokensModule {}

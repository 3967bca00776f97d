import { Module } from '@nestjs/common';
import { TokensRepository } from '../../tokens.repository';
import { SqlTokensRepository } from './sql-tokens.repository';

@Module({
  providers: [{ provide: TokensRepository, useClass: SqlTokensRepository }],
  exports: [TokensRepository],
})
export class SqlTokensModule {}

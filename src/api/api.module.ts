import { Module } from '@nestjs/common';
import { BooksModule } from '../books/books.module';
import { ErrorResponder } from '../common/error-responder';
import { ApiAuthGuard } from './api-auth.guard';
import { BooksApiController } from './books-api.controller';
import { ProblemResponder } from './problem';

/**
 * The JSON API under /api/v1 (bearer tokens from TokensModule, books through BooksService), its
 * problem+json errors (`ErrorResponder`, which DomainErrorFilter asks first) and, from configureApp, its
 * OpenAPI document and reference page (openapi.ts).
 */
@Module({
  imports: [BooksModule],
  controllers: [BooksApiController],
  providers: [ApiAuthGuard, { provide: ErrorResponder, useClass: ProblemResponder }],
  exports: [ErrorResponder],
})
export class ApiModule {}

import { Module } from '@nestjs/common';
import { BooksController } from './books.controller';
import { BooksService } from './books.service';
import { ListPageCache } from './list-page-cache';

/** Books over whichever BooksRepository the BooksPersistenceModule provides. */
@Module({
  controllers: [BooksController],
  providers: [BooksService, ListPageCache],
  exports: [ListPageCache, BooksService],
})
export class BooksModule {}

import { Module } from '@nestjs/common';
import { BooksController } from './books.controller';
import { BooksService } from './books.service';
import { ListPageCache } from './list-page-cache';

/** Books over whichever BooksRepository the DataBackendModule provides. */
@Module({
  controllers: [BooksController],
  providers: [BooksService, ListPageCache],
  // BooksService for the JSON API (src/api/), which goes through the same rules, covers and change stamp.
  exports: [ListPageCache, BooksService],
})
export class BooksModule {}

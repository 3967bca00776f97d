import { Module } from '@nestjs/common';
import { BooksController } from './books.controller';
import { BooksService } from './books.service';
import { BookPagesCache } from './book-pages-cache';

/** Books over whichever BooksRepository the BooksPersistenceModule provides. */
@Module({
  controllers: [BooksController],
  providers: [BooksService, BookPagesCache],
  // BooksService for the account pages (src/account/) and the JSON API (src/api/), which go through the
  // same rules, covers and change stamp.
  exports: [BookPagesCache, BooksService],
})
export class BooksModule {}

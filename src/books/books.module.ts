import { Module } from '@nestjs/common';
import { BooksController } from './books.controller';
import { BooksService } from './books.service';
import { BookChangeStamp } from './book-change-stamp';
import { BookPagesCache } from './book-pages-cache';
import { StampedBookReads } from './stamped-book-reads';

/** Books over whichever BooksRepository the BooksPersistenceModule provides. */
@Module({
  controllers: [BooksController],
  providers: [BooksService, BookChangeStamp, BookPagesCache, StampedBookReads],
  // BooksService for the account pages (src/account/) and the JSON API (src/api/), which go through the
  // same rules, covers and change stamp.
  exports: [BookPagesCache, BooksService],
})
export class BooksModule {}

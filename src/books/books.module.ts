import { Module } from '@nestjs/common';
import { BooksController } from './books.controller';
import { BooksService } from './books.service';

/** Books over whichever BooksRepository the DataBackendModule provides. */
@Module({
  controllers: [BooksController],
  providers: [BooksService],
})
export class BooksModule {}

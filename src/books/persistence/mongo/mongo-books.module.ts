import { Module } from '@nestjs/common';
import { BooksRepository } from '../../books.repository';
import { MongoBooksRepository } from './mongo-books.repository';

/** Books in the `books` collection; its model and indexes are registered through books-storage.ts. */
@Module({
  providers: [{ provide: BooksRepository, useClass: MongoBooksRepository }],
  exports: [BooksRepository],
})
export class MongoBooksModule {}

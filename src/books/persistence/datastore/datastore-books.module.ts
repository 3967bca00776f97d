import { Module } from '@nestjs/common';
import { BooksRepository } from '../../books.repository';
import { DatastoreBooksRepository } from './datastore-books.repository';

/**
 * Books as `Book` entities in Firestore in Datastore mode. The composite index that one owner's list
 * needs is in index.yaml (`gcloud datastore indexes create`).
 */
@Module({
  providers: [{ provide: BooksRepository, useClass: DatastoreBooksRepository }],
  exports: [BooksRepository],
})
export class DatastoreBooksModule {}

import { Module } from '@nestjs/common';
import { BooksRepository } from '../../books.repository';
import { SqlBooksRepository } from './sql-books.repository';

/** Books in the SQL database that DatabaseModule opens (tables: sql-books.migrations.ts). */
@Module({
  providers: [{ provide: BooksRepository, useClass: SqlBooksRepository }],
  exports: [BooksRepository],
})
export class SqlBooksModule {}

import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { AppConfig, DataBackend } from '../../config/app-config';
import { SqlBooksModule } from './sql/sql-books.module';

/** The one place the books adapter is chosen. Each module exports BooksRepository over DatabaseModule's client. */
const backends: Record<DataBackend, () => Type> = {
  sql: () => SqlBooksModule,
  // Loaded only when chosen: mongoose and the Datastore SDK each take about a second to load.
  mongodb: () => (require('./mongo/mongo-books.module') as typeof import('./mongo/mongo-books.module')).MongoBooksModule,
  datastore: () =>
    (require('./datastore/datastore-books.module') as typeof import('./datastore/datastore-books.module')).DatastoreBooksModule,
};

@Module({})
export class BooksPersistenceModule {
  static forRoot(config: AppConfig): DynamicModule {
    const backend = backends[config.dataBackend]();
    return { module: BooksPersistenceModule, global: true, imports: [backend], exports: [backend] };
  }
}

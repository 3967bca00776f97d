import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { AppConfig, DataBackend } from '../../config/app-config';
import { SqlBooksModule } from './sql/sql-books.module';

/** The one place a data backend is chosen. Each module exports BooksRepository and DatabaseHealth. */
const backends: Record<DataBackend, () => Type> = {
  sql: () => SqlBooksModule,
  mongodb: () => {
    throw new Error('DATA_BACKEND=mongodb is not available yet');
  },
  datastore: () => {
    throw new Error('DATA_BACKEND=datastore is not available yet');
  },
};

@Module({})
export class DataBackendModule {
  static forRoot(config: AppConfig): DynamicModule {
    const backend = backends[config.dataBackend]();
    return { module: DataBackendModule, global: true, imports: [backend], exports: [backend] };
  }
}

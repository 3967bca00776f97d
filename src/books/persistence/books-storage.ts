import type { FeatureStorage } from '../../database/feature-storage';
import { booksMigrations } from './sql/sql-books.migrations';

/** What the books feature stores, registered with DatabaseModule in app.module.ts. */
export const BOOKS_STORAGE: FeatureStorage = {
  feature: 'books',
  sqlMigrations: booksMigrations,
  mongoModels: () => {
    const { BookSchema, MongoBook } = require('./mongo/book.schema') as typeof import('./mongo/book.schema');
    return [{ name: MongoBook.name, schema: BookSchema }];
  },
  datastoreKinds: ['Book', 'BookSearchBackfill'],
};

import { describeBookshelf } from './bookshelf-suite';
describeBookshelf('sql-sqlite', async () => ({ env: {}, stop: async () => {} }));

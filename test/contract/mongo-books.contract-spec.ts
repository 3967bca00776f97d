import type { INestApplicationContext } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import { type Model, Types } from 'mongoose';
import { compareSortKeys, sortKeyFor } from '../../src/books/book';
import { BooksRepository } from '../../src/books/books.repository';
import { MongoBook } from '../../src/books/persistence/mongo/book.schema';
import { MongoBooksModule } from '../../src/books/persistence/mongo/mongo-books.module';
import { MongoBooksRepository } from '../../src/books/persistence/mongo/mongo-books.repository';
import { DatabaseHealth } from '../../src/database/database-health';
import { BackendUnavailable } from '../../src/common/domain-errors';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { FEATURE_STORAGE } from '../../src/app.module';
import { DatabaseModule } from '../../src/database/database.module';
import { describeWhen } from '../helpers/backends';
import { eventually } from '../helpers/eventually';
import { startJongodb, startTestMongo, testMongoUnavailable, type TestMongo } from '../helpers/jongodb';
import { describeBooksRepositoryContract, newBook } from './books-repository.contract';
import { queryWords } from '../../src/books/search-words';

/** The module as the app builds it (connection options, index creation), on the given server. */
async function openMongoBooks(url: string): Promise<INestApplicationContext> {
  const config = loadConfig({ DATA_BACKEND: 'mongodb', MONGODB_URL: url });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config, FEATURE_STORAGE), MongoBooksModule],
  }).compile();
  // init() runs onModuleInit (indexes); close() runs the shutdown hooks that close the connection.
  return moduleRef.init();
}

/**
 * jongodb compares strings by UTF-16 code units; MongoDB's simple collation, by UTF-8 bytes. They
 * disagree only between characters above U+FFFF (emoji) and U+E000-U+FFFF, which one contract title
 * (U+FFFD) exists to catch. On jongodb it is left out; on a real server (MONGODB_URL) it stays.
 */
const UTF16_SENSITIVE = /[\uE000-\uFFFF]/;

describeWhen(testMongoUnavailable())('MongoDB', () => {
  let server: TestMongo | undefined;
  const real = Boolean(process.env.MONGODB_URL);

  describeBooksRepositoryContract(`${MongoBooksRepository.name} on ${real ? 'MongoDB' : 'jongodb'}`, async () => {
    server = await startTestMongo();
    const app = await openMongoBooks(server.url);
    const model = app.get<Model<MongoBook>>(getModelToken(MongoBook.name));
    return {
      repository: app.get(BooksRepository),
      // ObjectIds order by their bytes: the same as their (fixed-length, lower-case) hex strings.
      changeStamps: false,
      compareIds: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
      unorderable: real ? undefined : UTF16_SENSITIVE,
      // jongodb has no `drop`; deleting every document works everywhere.
      reset: async () => void (await model.deleteMany({})),
      close: async () => {
        await app.close();
        await server?.stop();
      },
    };
  });

  describe(`${MongoBooksRepository.name} specifics`, () => {
    let mongo: TestMongo;
    let app: INestApplicationContext;
    let books: BooksRepository;

    beforeAll(async () => {
      mongo = await startTestMongo();
      app = await openMongoBooks(mongo.url);
      books = app.get(BooksRepository);
    });

    afterAll(async () => {
      await app?.close();
      await mongo?.stop();
    });

    it('creates the two list-order indexes at start', async () => {
      const model = app.get<Model<MongoBook>>(getModelToken(MongoBook.name));
      const keys = (await model.listIndexes()).map((index) => index.key);
      expect(keys).toEqual(
        expect.arrayContaining([
          { sortKey: 1, _id: 1 },
          { createdById: 1, sortKey: 1, _id: 1 },
        ]),
      );
    });

    it('creates the two search indexes at start, multikey on the stored prefixes', async () => {
      const model = app.get<Model<MongoBook>>(getModelToken(MongoBook.name));
      const keys = (await model.listIndexes()).map((index) => index.key);
      expect(keys).toEqual(
        expect.arrayContaining([
          { words: 1, sortKey: 1, _id: 1 },
          { createdById: 1, words: 1, sortKey: 1, _id: 1 },
        ]),
      );
    });

    it('backfills the words of books stored before search existed, once, without touching updatedAt', async () => {
      const model = app.get<Model<MongoBook>>(getModelToken(MongoBook.name));
      const repository = app.get(BooksRepository) as MongoBooksRepository;
      // The start-up backfill runs in the background; were it still going, it could index the book below.
      await repository.startupBackfill();
      const old = newBook({ title: 'Pre-search Chronicle', author: 'Early Writer' });
      // As an earlier version stored it: no `words`.
      const stored = { _id: new Types.ObjectId() };
      const now = new Date(Date.now() - 60_000);
      await model.collection.insertOne({ ...stored, ...old, createdAt: now, updatedAt: now });
      const before = await model.findById(stored._id).lean().exec();
      expect(before).not.toHaveProperty('words');
      await expect(books.list({ limit: 10, words: queryWords('chron') })).resolves.toEqual({ books: [], next: null });

      await expect(repository.backfillWords()).resolves.toBeGreaterThanOrEqual(1);
      await expect(repository.backfillWords()).resolves.toBe(0);

      const page = await books.list({ limit: 10, words: queryWords('chron early') });
      expect(page.books.map((b) => b.id)).toEqual([stored._id.toHexString()]);
      const after = await model.findById(stored._id).lean().exec();
      expect(after!.updatedAt).toEqual(before!.updatedAt);
    });

    it('shows ids as lower-case ObjectId hex, and reads the upper-case spelling as no book', async () => {
      const book = await books.create(newBook());
      expect(book.id).toMatch(/^[0-9a-f]{24}$/);
      await expect(books.findById(book.id.toUpperCase())).resolves.toBeNull();
    });

    it('reports itself ready while the server answers', async () => {
      await expect(app.get(DatabaseHealth).check()).resolves.toBeUndefined();
    });

    (real ? it : it.skip)(
      'orders emoji after U+E000-U+FFFF, as UTF-8 bytes do (a real MongoDB only: jongodb compares UTF-16)',
      async () => {
        const titles = ['\uFFFD replacement', '😀 smile', '\uFB00', '\u{10000} linear b', '\uE000 private'];
        for (const title of titles) await books.create(newBook({ title }));
        const page = await books.list({ limit: 10 });
        const expected = titles.map(sortKeyFor).sort(compareSortKeys);
        expect(page.books.map((b) => b.sortKey)).toEqual(expected);
      },
    );
  });

  describe(`${MongoBooksRepository.name} during an outage`, () => {
    // Needs a server of its own to stop and start again: jongodb.
    (real ? it.skip : it)('fails fast with BackendUnavailable, reports not ready, and recovers when the server returns', async () => {
      let server = await startJongodb();
      const port = Number(/:(\d+)\//.exec(server.url)![1]);
      const app = await openMongoBooks(server.url);
      try {
        const books = app.get(BooksRepository);
        const health = app.get(DatabaseHealth);
        await books.create(newBook());
        await server.stop();

        for (const attempt of [() => books.list({ limit: 10 }), () => books.findById('507f1f77bcf86cd799439011')]) {
          const started = Date.now();
          await expect(attempt()).rejects.toBeInstanceOf(BackendUnavailable);
          expect(Date.now() - started).toBeLessThan(2000);
        }
        await expect(health.check()).rejects.toThrow();

        // A fresh (empty) server on the same port: the driver reconnects on its own.
        server = await startJongodb({ port });
        await expect(eventually(() => books.list({ limit: 10 }))).resolves.toEqual({ books: [], next: null });
        await expect(health.check()).resolves.toBeUndefined();
      } finally {
        await app.close();
        await server.stop();
      }
    });
  });
});

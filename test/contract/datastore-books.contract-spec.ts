import { type Datastore, PropertyFilter } from '@google-cloud/datastore';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { BooksRepository } from '../../src/books/books.repository';
import { DATASTORE_CLIENT } from '../../src/database/database-clients';
import { DatastoreBooksModule } from '../../src/books/persistence/datastore/datastore-books.module';
import { BACKFILL_KIND, DatastoreBooksRepository } from '../../src/books/persistence/datastore/datastore-books.repository';
import { queryWords } from '../../src/books/search-words';
import { DatabaseHealth } from '../../src/database/database-health';
import { BackendUnavailable, InvalidPageToken } from '../../src/common/domain-errors';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { FEATURE_STORAGE } from '../../src/app.module';
import { DatabaseModule } from '../../src/database/database.module';
import { describeWhen } from '../helpers/backends';
import { type DatastoreEmulator, datastoreEmulatorUnavailable, startDatastoreEmulator } from '../helpers/datastore-emulator';
import { eventually } from '../helpers/eventually';
import { describeBooksRepositoryContract, newBook } from './books-repository.contract';

// The client probes the cloud metadata server unless told not to (docs/testing.md).
process.env.METADATA_SERVER_DETECTION = 'none';

/** The module as the app builds it, on the emulator. The client reads DATASTORE_EMULATOR_HOST itself. */
async function openDatastoreBooks(emulator: DatastoreEmulator): Promise<INestApplicationContext> {
  process.env.DATASTORE_EMULATOR_HOST = emulator.host;
  const config = loadConfig({ DATA_BACKEND: 'datastore', GOOGLE_CLOUD_PROJECT: emulator.projectId });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config, FEATURE_STORAGE), DatastoreBooksModule],
  }).compile();
  return moduleRef.init();
}

/** Datastore orders numeric ids as numbers (64-bit: beyond Number's exact range). */
function compareIds(a: string, b: string): number {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

// Optional even in CI: some machine images cannot install the emulators (docs/testing.md).
describeWhen(datastoreEmulatorUnavailable(), { optionalInCi: true })('Datastore', () => {
  // One emulator for the contract and the specifics (it takes seconds to start); reset before each contract test.
  let emulator: DatastoreEmulator;

  beforeAll(async () => {
    emulator = (await startDatastoreEmulator())!;
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  describeBooksRepositoryContract(`${DatastoreBooksRepository.name} on the emulator`, async () => {
    const app = await openDatastoreBooks(emulator);
    return {
      repository: app.get(BooksRepository),
      compareIds,
      changeStamps: false,
      reset: () => emulator.reset(),
      close: () => app.close(),
    };
  });

  describe(`${DatastoreBooksRepository.name} specifics`, () => {
    let app: INestApplicationContext;
    let books: BooksRepository;

    beforeAll(async () => {
      app = await openDatastoreBooks(emulator);
      books = app.get(BooksRepository);
    });

    afterAll(async () => {
      await app?.close();
    });

    it('shows numeric ids as decimal strings', async () => {
      const book = await books.create(newBook());
      expect(book.id).toMatch(/^[1-9][0-9]*$/);
      await expect(books.findById(book.id)).resolves.toMatchObject({ id: book.id });
    });

    it('refuses a well-formed cursor that the service cannot parse', async () => {
      await books.create(newBook());
      await expect(books.list({ limit: 1, after: 'AAAA' })).rejects.toBeInstanceOf(InvalidPageToken);
      await expect(books.list({ limit: 1, after: 'bm90IGEgY3Vyc29y' })).rejects.toBeInstanceOf(InvalidPageToken);
    });

    it('runs on an emulator that enforces index.yaml, so the contract proves the file complete', async () => {
      if (!emulator.enforcesIndexes) {
        console.warn('This emulator does not enforce index.yaml: the composite indexes went unchecked');
        return;
      }
      // A query whose composite index is not in index.yaml fails as it would in production.
      const datastore = app.get<Datastore>(DATASTORE_CLIENT);
      const query = datastore
        .createQuery('Book')
        .filter(new PropertyFilter('author', '=', 'x'))
        .order('sortKey');
      await expect(datastore.runQuery(query)).rejects.toThrow(/composite index/);
    });

    it('backfills the words of books stored before search existed, resumably, and then only reads its marker', async () => {
      const datastore = app.get<Datastore>(DATASTORE_CLIENT);
      const repository = app.get(BooksRepository) as DatastoreBooksRepository;
      // The app's own backfill, started at bootstrap, would otherwise give these books their words first.
      await repository.startupBackfill();
      const now = new Date();
      const old = { ...newBook({ title: 'Pre-search Chronicle', author: 'Early Writer' }), createdAt: now, updatedAt: now };
      // As an earlier version stored them: no `words`, and no marker yet.
      const keys = [datastore.key('Book'), datastore.key('Book')];
      await datastore.save(keys.map((key) => ({ key, data: old, excludeFromIndexes: ['description'] })));
      await datastore.delete(datastore.key([BACKFILL_KIND, 'words']));
      await expect(books.list({ limit: 10, words: queryWords('chron') })).resolves.toEqual({ books: [], next: null });

      await expect(repository.backfillWords()).resolves.toBe(2);
      await expect(repository.backfillWords()).resolves.toBe(0);

      const page = await books.list({ limit: 10, words: queryWords('early chron') });
      expect(page.books.map((b) => b.id).sort()).toEqual(keys.map((key) => String(key.id)).sort());
    });

    it('reports itself ready while the emulator answers', async () => {
      await expect(app.get(DatabaseHealth).check()).resolves.toBeUndefined();
    });
  });

  describe(`${DatastoreBooksRepository.name} during an outage`, () => {
    it('fails fast with BackendUnavailable, reports not ready, and recovers when the service returns', async () => {
      let stoppable = (await startDatastoreEmulator())!;
      const port = Number(stoppable.host.split(':')[1]);
      const app = await openDatastoreBooks(stoppable);
      try {
        const books = app.get(BooksRepository);
        const health = app.get(DatabaseHealth);
        await books.create(newBook());
        await stoppable.stop();

        for (const attempt of [() => books.list({ limit: 10 }), () => books.findById('1'), () => books.create(newBook())]) {
          const started = Date.now();
          await expect(attempt()).rejects.toBeInstanceOf(BackendUnavailable);
          expect(Date.now() - started).toBeLessThan(2000);
        }
        await expect(health.check()).rejects.toThrow();

        // A fresh (empty) emulator on the same port: the client's channel reconnects on its stoppable.
        stoppable = (await startDatastoreEmulator({ port }))!;
        await expect(eventually(() => books.list({ limit: 10 }))).resolves.toEqual({ books: [], next: null });
        await expect(health.check()).resolves.toBeUndefined();
      } finally {
        await app.close();
        await stoppable.stop();
      }
    });
  });
});

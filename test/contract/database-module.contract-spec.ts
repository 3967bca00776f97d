import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import { FEATURE_STORAGE } from '../../src/app.module';
import type { BooksTables } from '../../src/books/persistence/sql/sql-books.tables';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { MONGO_CONNECTION } from '../../src/database/database-clients';
import { DatabaseModule } from '../../src/database/database.module';
import type { FeatureStorage } from '../../src/database/feature-storage';
import { SqlDatabase } from '../../src/database/sql/sql-database';
import { collectMigrations, migrateToLatest } from '../../src/database/sql/sql-migrator';
import type { SessionsTables } from '../../src/sessions/stores/sql-sessions.migrations';
import { describeEverySqlEngine, describeWhen } from '../helpers/backends';
import { startTestMongo, testMongoUnavailable } from '../helpers/jongodb';
import { createSqliteDatabase } from '../helpers/sql-servers';

/** The migrations a database made before features registered their own had run (books, sessions, change counter). */
const BEFORE_FEATURE_REGISTRATION = ['2026-11-25-001-books', '2026-11-25-002-sessions', '2026-11-26-003-book-changes'];

function only(names: string[]): FeatureStorage[] {
  return FEATURE_STORAGE.map((feature) => ({
    ...feature,
    sqlMigrations:
      feature.sqlMigrations &&
      ((engine) => Object.fromEntries(Object.entries(feature.sqlMigrations!(engine)).filter(([name]) => names.includes(name)))),
  }));
}

describeEverySqlEngine((engine, createDatabase) => {
  describe(`every feature's SQL migrations on ${engine}`, () => {
    it('upgrades a database of the earlier schema with no data lost', async () => {
      const database = await createDatabase();
      const sql = new SqlDatabase(database.url);
      try {
        await migrateToLatest(sql, only(BEFORE_FEATURE_REGISTRATION));
        const books = sql.tables<BooksTables>();
        await books
          .insertInto('books')
          .values({
            title: 'Kept',
            author: 'A',
            published_date: '',
            description: 'd',
            image_key: null,
            thumbnail_key: null,
            created_by_id: 'sub',
            created_by: 'Ada',
            created_at: 1,
            updated_at: 1,
            sort_key: 'kept',
          })
          .execute();
        await sql
          .tables<SessionsTables>()
          .insertInto('sessions')
          .values({ sid: 'kept', expires_at: Date.now() + 60_000, data: '{}' })
          .execute();

        await migrateToLatest(sql, FEATURE_STORAGE);

        expect(await books.selectFrom('books').select(['title', 'created_by']).execute()).toEqual([{ title: 'Kept', created_by: 'Ada' }]);
        expect(await books.selectFrom('book_changes').select('n').execute()).toEqual([{ n: 0 }]);
        expect(await sql.tables<SessionsTables>().selectFrom('sessions').select('sid').execute()).toEqual([{ sid: 'kept' }]);
        // The rate limits' table is new, and usable.
        const limits = sql.tables<{ rate_limits: { key: string; points: number; expire: number | null } }>();
        await limits.insertInto('rate_limits').values({ key: 'k', points: 1, expire: null }).execute();
        expect(await limits.selectFrom('rate_limits').select('points').execute()).toEqual([{ points: 1 }]);
      } finally {
        await sql.close();
        await database.drop();
      }
    });

    it('runs a feature’s migration named before ones already run (teams add features in parallel)', async () => {
      const database = await createDatabase();
      const sql = new SqlDatabase(database.url);
      const early: FeatureStorage = {
        feature: 'early',
        sqlMigrations: () => ({
          '2026-01-01-001-early': { up: async (db) => void (await db.schema.createTable('early').addColumn('id', 'integer').execute()) },
        }),
      };
      try {
        await migrateToLatest(sql, FEATURE_STORAGE);
        await migrateToLatest(sql, [...FEATURE_STORAGE, early]);
        await expect(sql.tables<{ early: { id: number } }>().selectFrom('early').selectAll().execute()).resolves.toEqual([]);
      } finally {
        await sql.close();
        await database.drop();
      }
    });
  });
});

describe(collectMigrations.name, () => {
  it('refuses one migration name registered by two features', async () => {
    const database = await createSqliteDatabase();
    const sql = new SqlDatabase(database.url);
    try {
      const copy: FeatureStorage = { feature: 'copycat', sqlMigrations: () => ({ '2026-11-25-001-books': { up: async () => undefined } }) };
      expect(() => collectMigrations(sql, [...FEATURE_STORAGE, copy])).toThrow(
        '2026-11-25-001-books is registered by both books and copycat',
      );
    } finally {
      await sql.close();
      await database.drop();
    }
  });
});

describeWhen(testMongoUnavailable())('MongoDB', () => {
  it('builds every registered model’s indexes at start', async () => {
    const server = await startTestMongo();
    let app: INestApplicationContext | undefined;
    try {
      const config = loadConfig({ DATA_BACKEND: 'mongodb', MONGODB_URL: server.url });
      const moduleRef = await Test.createTestingModule({
        imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config, FEATURE_STORAGE)],
      }).compile();
      app = await moduleRef.init();
      const connection = app.get<Connection>(MONGO_CONNECTION);
      const models = FEATURE_STORAGE.flatMap((f) => f.mongoModels?.() ?? []);
      expect(models.length).toBeGreaterThan(0);
      for (const { name, schema } of models) {
        const collection = connection.model(name).collection;
        const built = (await collection.indexes()).map((index) => JSON.stringify(index.key));
        for (const [fields] of schema.indexes()) expect(built).toContain(JSON.stringify(fields));
      }
    } finally {
      await app?.close();
      await server.stop();
    }
  });
});

describe('index.yaml', () => {
  it('names only kinds that a feature registers', () => {
    const text = readFileSync(join(__dirname, '../../index.yaml'), 'utf8');
    const kinds = [...text.matchAll(/^\s*- kind: (\S+)/gm)].map((m) => m[1]);
    const registered = FEATURE_STORAGE.flatMap((f) => f.datastoreKinds ?? []);
    expect(kinds.length).toBeGreaterThan(0);
    for (const kind of kinds) expect(registered).toContain(kind);
  });
});

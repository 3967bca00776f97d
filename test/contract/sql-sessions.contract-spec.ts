import type { SessionData } from 'express-session';
import { SqlDatabase } from '../../src/database/sql/sql-database';
import { FEATURE_STORAGE } from '../../src/app.module';
import type { FeatureStorage } from '../../src/database/feature-storage';
import { migrateToLatest } from '../../src/database/sql/sql-migrator';
import { expiryOf, SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../../src/sessions/session-lifetime';
import { SqlSessionStore } from '../../src/sessions/stores/sql-session.store';
import type { SessionsTables } from '../../src/sessions/stores/sql-sessions.migrations';
import { describeEverySqlEngine } from '../helpers/backends';
import { createSqliteDatabase, type TestDatabase } from '../helpers/sql-servers';
import { call, describeSessionStoreContract, type SessionStoreHarness, sessionData } from './session-store.contract';

/** The SQL session store on one migrated database, and a second instance on connections of its own. */
async function sqlHarness(database: TestDatabase): Promise<SessionStoreHarness> {
  const sql = new SqlDatabase(database.url);
  await migrateToLatest(sql, FEATURE_STORAGE);
  const store = new SqlSessionStore(sql);
  const otherSql = new SqlDatabase(database.url);
  const other = new SqlSessionStore(otherSql);
  const sessions = () => sql.tables<SessionsTables>().selectFrom('sessions');
  return {
    store,
    userSessions: store,
    other: { store: other, userSessions: other },
    storedExpiry: async (sid) => {
      const row = await sessions().select('expires_at').where('sid', '=', sid).executeTakeFirst();
      return row ? Number(row.expires_at) : null;
    },
    writeUnindexed: async (sid, session) =>
      void (await sql
        .tables<SessionsTables>()
        .insertInto('sessions')
        .values({ sid, expires_at: expiryOf(session), data: JSON.stringify(session), user_id: null })
        .execute()),
    indexedSessions: async (userId) => (await sessions().select('sid').where('user_id', '=', userId).execute()).map((row) => row.sid),
    removeExpired: () => store.prune(),
    close: async () => {
      store.close();
      other.close();
      await Promise.all([sql.close(), otherSql.close()]);
      await database.drop();
    },
  };
}

describeEverySqlEngine((engine, createDatabase) =>
  describeSessionStoreContract(`${SqlSessionStore.name} on ${engine}`, async () => sqlHarness(await createDatabase())),
);

/** Every feature's migrations named before `name`: a database as it was before that migration shipped. */
function migrationsBefore(name: string): FeatureStorage[] {
  return FEATURE_STORAGE.map((feature) => ({
    ...feature,
    sqlMigrations:
      feature.sqlMigrations &&
      ((engine) => Object.fromEntries(Object.entries(feature.sqlMigrations!(engine)).filter(([migration]) => migration < name))),
  }));
}

describeEverySqlEngine((engine, createDatabase) =>
  describe(`the sessions' user migration on ${engine}`, () => {
    it('indexes by user the sessions signed in before it ran', async () => {
      const database = await createDatabase();
      const sql = new SqlDatabase(database.url);
      const store = new SqlSessionStore(sql);
      try {
        await migrateToLatest(sql, migrationsBefore('2026-12-02-005-sessions-user'));
        const ada = { id: 'sub-before', name: 'Ada', email: 'ada@example.com', picture: null };
        const expiresAt = Date.now() + SESSION_TTL_MS;
        // Rows as the store wrote them before the migration (no user_id column yet).
        const before = sql.tables<{ sessions: { sid: string; expires_at: number; data: string } }>();
        await before
          .insertInto('sessions')
          .values([
            { sid: 'signed-in', expires_at: expiresAt, data: JSON.stringify(sessionData(expiresAt, { passport: { user: ada } })) },
            { sid: 'anonymous', expires_at: expiresAt, data: JSON.stringify(sessionData(expiresAt, { flash: 'hi' })) },
            { sid: 'unreadable', expires_at: expiresAt, data: '{not json' },
          ])
          .execute();

        await migrateToLatest(sql, FEATURE_STORAGE);

        const found = await store.sessionsOf(ada.id);
        expect(found.map((s) => s.id)).toEqual(['signed-in']);
        expect(found[0].data).toMatchObject({ passport: { user: ada } });
        const rows = await sql.tables<SessionsTables>().selectFrom('sessions').select(['sid', 'user_id']).orderBy('sid').execute();
        expect(rows).toEqual([
          { sid: 'anonymous', user_id: null },
          { sid: 'signed-in', user_id: ada.id },
          { sid: 'unreadable', user_id: null },
        ]);
      } finally {
        store.close();
        await sql.close();
        await database.drop();
      }
    });

    it('backfills more sessions than one batch', async () => {
      const database = await createDatabase();
      const sql = new SqlDatabase(database.url);
      const store = new SqlSessionStore(sql);
      try {
        await migrateToLatest(sql, migrationsBefore('2026-12-02-005-sessions-user'));
        const expiresAt = Date.now() + SESSION_TTL_MS;
        const rows = Array.from({ length: 1201 }, (_, i) => ({
          sid: `s${String(i).padStart(5, '0')}`,
          expires_at: expiresAt,
          data: JSON.stringify(sessionData(expiresAt, { passport: { user: { id: `sub-${i % 2}`, name: 'N', email: 'n@example.com' } } })),
        }));
        const before = sql.tables<{ sessions: { sid: string; expires_at: number; data: string } }>();
        for (let i = 0; i < rows.length; i += 300)
          await before
            .insertInto('sessions')
            .values(rows.slice(i, i + 300))
            .execute();

        await migrateToLatest(sql, FEATURE_STORAGE);

        expect((await store.sessionsOf('sub-0')).length).toBe(601);
        expect((await store.sessionsOf('sub-1')).length).toBe(600);
      } finally {
        store.close();
        await sql.close();
        await database.drop();
      }
    });
  }),
);

describe(`${SqlSessionStore.name} touching a session it has read`, () => {
  it('sends no statement while the stored expiry is within the touch interval, and an update once it is not', async () => {
    const database = await createSqliteDatabase();
    const sql = new SqlDatabase(database.url);
    await migrateToLatest(sql, FEATURE_STORAGE);
    const store = new SqlSessionStore(sql);
    const executor = sql.db.getExecutor();
    const execute = executor.executeQuery.bind(executor);
    const statements: string[] = [];
    jest.spyOn(executor, 'executeQuery').mockImplementation((query) => {
      statements.push(query.sql.split(' ')[0]);
      return execute(query);
    });
    try {
      const sid = 'remembered';
      await call((cb) => store.set(sid, sessionData(Date.now() + SESSION_TTL_MS - SESSION_TOUCH_INTERVAL_MS / 2), cb));
      await call<SessionData | null>((cb) => store.get(sid, cb));
      statements.length = 0;

      await call((cb) => store.touch(sid, sessionData(Date.now() + SESSION_TTL_MS), cb));
      expect(statements).toEqual([]);

      // Stored two intervals ago (as another instance's session would read): the touch writes.
      await sql
        .tables<SessionsTables>()
        .updateTable('sessions')
        .set({ expires_at: Date.now() + SESSION_TTL_MS - 2 * SESSION_TOUCH_INTERVAL_MS })
        .execute();
      await call<SessionData | null>((cb) => store.get(sid, cb));
      statements.length = 0;
      const slid = Date.now() + SESSION_TTL_MS;
      await call((cb) => store.touch(sid, sessionData(slid), cb));
      expect(statements).toEqual(['update']);
      const row = await sql
        .tables<SessionsTables>()
        .selectFrom('sessions')
        .select('expires_at')
        .where('sid', '=', sid)
        .executeTakeFirstOrThrow();
      expect(Number(row.expires_at)).toBe(slid);
    } finally {
      store.close();
      await sql.close();
      await database.drop();
    }
  });
});

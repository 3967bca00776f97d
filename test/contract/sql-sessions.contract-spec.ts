import type { SessionData } from 'express-session';
import { SqlDatabase } from '../../src/database/sql/sql-database';
import { FEATURE_STORAGE } from '../../src/app.module';
import { migrateToLatest } from '../../src/database/sql/sql-migrator';
import { SESSION_TOUCH_INTERVAL_MS, SESSION_TTL_MS } from '../../src/sessions/session-lifetime';
import { SqlSessionStore } from '../../src/sessions/stores/sql-session.store';
import type { SessionsTables } from '../../src/sessions/stores/sql-sessions.migrations';
import { describeEverySqlEngine } from '../helpers/backends';
import { createSqliteDatabase, type TestDatabase } from '../helpers/sql-servers';
import { call, describeSessionStoreContract, type SessionStoreHarness, sessionData } from './session-store.contract';

/** The SQL session store on one migrated database. */
async function sqlHarness(database: TestDatabase): Promise<SessionStoreHarness> {
  const sql = new SqlDatabase(database.url);
  await migrateToLatest(sql, FEATURE_STORAGE);
  const store = new SqlSessionStore(sql);
  return {
    store,
    storedExpiry: async (sid) => {
      const row = await sql.tables<SessionsTables>().selectFrom('sessions').select('expires_at').where('sid', '=', sid).executeTakeFirst();
      return row ? Number(row.expires_at) : null;
    },
    removeExpired: () => store.prune(),
    close: async () => {
      store.close();
      await sql.close();
      await database.drop();
    },
  };
}

describeEverySqlEngine((engine, createDatabase) =>
  describeSessionStoreContract(`${SqlSessionStore.name} on ${engine}`, async () => sqlHarness(await createDatabase())),
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

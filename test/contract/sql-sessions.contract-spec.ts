import { SqlDatabase } from '../../src/books/persistence/sql/sql-database';
import { migrateToLatest } from '../../src/books/persistence/sql/sql-migrations';
import { SqlSessionStore } from '../../src/sessions/sql-session.store';
import { describeEverySqlEngine } from '../helpers/backends';
import type { TestDatabase } from '../helpers/sql-servers';
import { describeSessionStoreContract, type SessionStoreHarness } from './session-store.contract';

/** The SQL session store on one migrated database. */
async function sqlHarness(database: TestDatabase): Promise<SessionStoreHarness> {
  const sql = new SqlDatabase(database.url);
  await migrateToLatest(sql);
  const store = new SqlSessionStore(sql);
  return {
    store,
    storedExpiry: async (sid) => {
      const row = await sql.db.selectFrom('sessions').select('expires_at').where('sid', '=', sid).executeTakeFirst();
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

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlDatabase } from '../../src/books/persistence/sql/sql-database';
import { migrateToLatest } from '../../src/books/persistence/sql/sql-migrations';
import { SqlSessionStore } from '../../src/sessions/sql-session.store';
import { describeWhen } from '../helpers/backends';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type TestDatabase,
} from '../helpers/sql-servers';
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

describeSessionStoreContract(`${SqlSessionStore.name} on SQLite`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bookshelf-sqlite-'));
  return sqlHarness({ url: `sqlite:${join(dir, 'sessions.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) });
});

describeWhen(postgresUnavailable())('PostgreSQL', () => {
  describeSessionStoreContract(`${SqlSessionStore.name} on PostgreSQL`, async () => sqlHarness(await createPostgresDatabase()));
});

describeWhen(mysqlUnavailable())('MariaDB', () => {
  describeSessionStoreContract(`${SqlSessionStore.name} on MariaDB`, async () => sqlHarness(await createMysqlDatabase()));
});

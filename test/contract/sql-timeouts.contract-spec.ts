import { sql } from 'kysely';
import { SqlDatabase } from '../../src/database/sql/sql-database';
import { QUERY_TIMEOUT_MS } from '../../src/database/backend-limits';
import { describeWhen } from '../helpers/backends';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlUnavailable,
  postgresUnavailable,
  type TestDatabase,
} from '../helpers/sql-servers';

/**
 * docs/architecture.md section 4: queries give up within 2 s, and the pool stays usable afterwards. A slow
 * query stands in for a database that stops answering; the outage suites cover stopped servers.
 */
function describeTimeouts(engine: string, createDatabase: () => Promise<TestDatabase>, sleep: (seconds: number) => string): void {
  describe(`${SqlDatabase.name} on ${engine}`, () => {
    let database: TestDatabase;
    let db: SqlDatabase;

    beforeAll(async () => {
      database = await createDatabase();
      db = new SqlDatabase(database.url);
    });

    afterAll(async () => {
      await db?.close();
      await database?.drop();
    });

    async function timed(work: () => Promise<unknown>): Promise<{ ms: number; failed: boolean }> {
      const started = Date.now();
      const failed = await work().then(
        () => false,
        () => true,
      );
      return { ms: Date.now() - started, failed };
    }

    it('gives up on a query that does not answer within the query timeout, and stays usable', async () => {
      const slow = await timed(() => sql.raw(sleep(5)).execute(db.db));

      expect(slow.failed).toBe(true);
      expect(slow.ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 100);
      expect(slow.ms).toBeLessThan(2000);
      await expect(db.ping()).resolves.toBeUndefined();
    });

    it('answers within 2 s when more slow queries arrive than the pool has connections', async () => {
      const results = await Promise.all(Array.from({ length: 15 }, () => timed(() => sql.raw(sleep(5)).execute(db.db))));

      for (const result of results) {
        expect(result.failed).toBe(true);
        expect(result.ms).toBeLessThan(2000);
      }
      await expect(db.ping()).resolves.toBeUndefined();
    });
  });
}

describeWhen(postgresUnavailable())('PostgreSQL', () => {
  describeTimeouts('PostgreSQL', createPostgresDatabase, (seconds) => `select pg_sleep(${seconds})`);
});

describeWhen(mysqlUnavailable())('MariaDB', () => {
  describeTimeouts('MariaDB', createMysqlDatabase, (seconds) => `select sleep(${seconds})`);
});

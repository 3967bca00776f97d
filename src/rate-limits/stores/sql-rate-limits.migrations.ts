import type { Kysely, Migration } from 'kysely';
import type { SqlEngine } from '../../database/sql/sql-database';
import { sqlTypes } from '../../database/sql/sql-types';

/**
 * rate-limiter-flexible's counters, one row per action and key, in the columns its SQL limiters use;
 * created here rather than by the limiter, so that instances starting together do not race to create it.
 */
export function rateLimitsMigrations(engine: SqlEngine): Record<string, Migration> {
  return {
    '2026-12-02-004-rate-limits': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('rate_limits')
          .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
          .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('expire', 'bigint')
          .modifyEnd(sqlTypes(engine).utf8mb4)
          .execute();
      },
    },
  };
}
